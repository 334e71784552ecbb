import Foundation

/// One thread that runs the work handed to it, one piece at a time, until `stop`. The daemon starts
/// its media fork server from it: `PR_SET_PDEATHSIG` fires when the *thread* that spawned a process
/// ends, so the spawning thread must live exactly as long as the server is wanted (a worker thread
/// of a test's in-process pipeline may end long before).
final class DedicatedThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: (() -> Void)?
    private var running = false
    private var stopped = false
    private let name: String

    init(name: String) {
        self.name = name
    }

    /// Runs `body` on the thread (started on first use) and returns its result; `body` runs on the
    /// calling thread when the dedicated one was stopped.
    func run<T>(_ body: @escaping () -> T) -> T {
        var result: T?
        let finished = NSCondition()
        condition.lock()
        if stopped {
            condition.unlock()
            return body()
        }
        if !running { start() }
        while work != nil { condition.wait() }
        work = {
            let value = body()
            finished.lock()
            result = value
            finished.signal()
            finished.unlock()
        }
        condition.broadcast()
        condition.unlock()
        finished.lock()
        while result == nil { finished.wait() }
        finished.unlock()
        return result!
    }

    /// Ends the thread once it is idle (the processes it spawned get their death signal).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Called with `condition` locked.
    private func start() {
        running = true
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        condition.lock()
        while true {
            while work == nil && !stopped { condition.wait() }
            guard let next = work else { break }
            condition.unlock()
            next()
            condition.lock()
            work = nil
            condition.broadcast()
        }
        running = false
        condition.unlock()
    }
}
