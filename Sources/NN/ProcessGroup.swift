// The processes one data-parallel run spans, as layers and the trainer see them: element-wise sums
// that every member calls at the same point with the same number of values.

/// A fixed group of cooperating processes (MPI ranks in `atkd`; threads in tests).
///
/// Every member calls `sum` at the same points of its program with arrays of the same length, and
/// receives the element-wise sum over all members, identical on every member. A failed transport
/// stops the job (MPI's default error handler does), so these calls do not throw.
public protocol ProcessGroup: AnyObject {
    /// This member's index, 0 ..< size.
    var rank: Int { get }
    var size: Int { get }
    func sum(_ values: inout [Float])
    func sum(_ values: inout [Double])
}
