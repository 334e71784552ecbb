/// Runs one stage's work for `JobRunner`, given the results recorded so far. The pipeline's own
/// implementation is `PipelineStages`; tests of the state machine substitute quick stages that
/// still write real files and a real store.
protocol StageWork: Sendable {
    /// Runs `stage`; `results` holds every earlier stage's result (the runner guarantees it).
    func run(_ stage: JobStage, _ context: StageContext, _ results: StageResults) throws -> StageOutcome
}

/// download (libcurl) → check and optimize (media child) → publish.
struct PipelineStages: StageWork {
    func run(_ stage: JobStage, _ context: StageContext, _ results: StageResults) throws -> StageOutcome {
        switch (stage, results.download, results.check, results.optimize) {
        case (.download, _, _, _): return try context.download()
        case (.check, let source?, _, _): return try context.check(source)
        case (.optimize, let source?, let checked?, _): return try context.optimize(source, checked)
        case (.publish, _, let checked?, let rendition?): return try context.publish(rendition, checked)
        default: throw PipelineError.workerFault("stage \(stage.rawValue) was started without the results it needs")
        }
    }
}
