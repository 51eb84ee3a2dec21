/// The task-local state of the tape — whether recording is off, and the leaf-gradient sink of
/// the `backward(gradient:into:)` pass under way — carried into the pieces of
/// `Parallel.forEachCarryingTapeState`.
///
/// Task-locals live with the thread that bound them. A piece of a parallel loop may run
/// on another thread: a worker, or a caller of another loop waiting for its own to finish (a
/// loop opened while the pool's outer slot is taken, as by concurrent callers in one process,
/// becomes a nested job that such a thread helps with). A piece that is a whole micro-batch
/// would run under the helper's state: unrecorded when the helper is inside
/// `withoutGradients`, or with its leaf gradients sent to the helper's sink.
struct TapeContext {
  let recordingDisabled: Bool
  let sink: LeafGradients?

  /// The calling thread's state.
  static var current: TapeContext {
    TapeContext(recordingDisabled: Tensor.recordingDisabled, sink: Tensor.leafGradientSink)
  }

  /// Runs `body` under this state; binds nothing when the thread already has it.
  @inline(__always)
  func run(_ body: () -> Void) {
    if Tensor.recordingDisabled == recordingDisabled && Tensor.leafGradientSink === sink {
      body()
      return
    }
    Tensor.$recordingDisabled.withValue(recordingDisabled) {
      Tensor.$leafGradientSink.withValue(sink, operation: body)
    }
  }
}
