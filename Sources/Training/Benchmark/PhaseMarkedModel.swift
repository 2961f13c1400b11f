// A model wrapper that tells a KernelProfile which part of a training step is running,
// so a profile of `TrainingRun.step` separates student, teacher, loss, backward and SGD.

import TensorCore
import NN

/// Forwards to `inner` unchanged; sets `profile.phase` to `forwardPhase` during its forward,
/// to `afterForward` once it returns, to `backwardPhase` during its backward and to
/// `afterBackward` after that.
public final class PhaseMarkedModel: Model {
    public let inner: any Model
    let profile: KernelProfile
    let forwardPhase: String, afterForward: String, backwardPhase: String, afterBackward: String

    public init(_ inner: any Model, profile: KernelProfile, forwardPhase: String, afterForward: String,
                backwardPhase: String = "backward", afterBackward: String = "sgd") {
        self.inner = inner; self.profile = profile
        self.forwardPhase = forwardPhase; self.afterForward = afterForward
        self.backwardPhase = backwardPhase; self.afterBackward = afterBackward
    }

    public var name: String { inner.name }
    public var numClasses: Int { inner.numClasses }
    public var parameters: [Parameter] { inner.parameters }
    public var buffers: [Buffer] { inner.buffers }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> ModelForward {
        profile.phase = forwardPhase
        let out = inner.forward(x, ctx)
        profile.phase = afterForward
        let backward = out.fullBackward
        var marked = out
        marked.fullBackward = { [profile, backwardPhase, afterBackward] dLogits, dTaps, dEmbedding in
            profile.phase = backwardPhase
            let dx = backward(dLogits, dTaps, dEmbedding)
            profile.phase = afterBackward
            return dx
        }
        return marked
    }
}
