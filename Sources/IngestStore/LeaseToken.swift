/// The fencing token of one claim of a job: who holds it (`owner`, a daemon's id) and which claim
/// it is (`generation`, which grows with every claim of the job).
///
/// Every write a worker makes for a job (a stage result, progress, a release, the outcome) names
/// its token, and the store changes nothing unless the job is still `running` under exactly that
/// token: a worker whose lease was taken over (a rescue, a delete, a restart) can no longer write
/// anything for the job (Kleppmann's fencing tokens). Holds for several daemons on one store.
public struct LeaseToken: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The job.
    public var jobId: Int64
    /// The daemon (or test worker) that claimed it.
    public var owner: String
    /// The claim's number: 1 for the first claim, one more for each later one.
    public var generation: Int64

    /// Creates a token (the store hands these out with each claim).
    public init(jobId: Int64, owner: String, generation: Int64) {
        self.jobId = jobId
        self.owner = owner
        self.generation = generation
    }

    /// `job 7 lease daemon-1#3`.
    public var description: String { "job \(jobId) lease \(owner)#\(generation)" }
}
