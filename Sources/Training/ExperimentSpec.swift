// Experiment specs: every default in one typed place; a spec file overrides only what differs.

import Foundation
import Optim
import Objectives
import TensorCore

/// A whole experiment: the data, the teacher, the student, the objectives (arms) and seeds.
/// JSON keys are snake_case (`batch_size`); see `experiments/*.json`.
public struct ExperimentSpec: Codable, Equatable {
    /// Names the run folder `runs/<name>/`.
    public var name = "experiment"
    public var dataset = DatasetSpec()
    public var teacher = NetworkSpec(model: "resnet50-w4-awconv", train: TrainSpec())
    public var student = NetworkSpec(model: "mobilenetv2-half", train: TrainSpec(lr: 0.05))
    public var distill = DistillSpec()
    /// Objectives the student is trained with, one run each per seed: `ce`, `kd`, `at`, `atkd`, and the
    /// related methods `dkd`, `rkd`, `sp`, `pkt`, `fitnet`, `crd`, `crdkd` (`ObjectiveRegistry.names`).
    public var arms = ["ce", "kd", "at", "atkd"]
    public var seeds = [1]
    /// Worker threads for the engine (and OpenBLAS): results are bit-identical for a fixed count.
    public var threads = 2
    /// `fast` (OpenBLAS + SIMD) or `reference` (naive loops; slow, for checking).
    public var engine = "fast"
    /// Convolution and linear products: `fp32` (the reference), or `bf16` — bf16 inputs, fp32 sums,
    /// fp32 master weights (`TensorCore.Precision`); the fast engine on an AVX512_BF16 CPU only.
    public var precision = "fp32"
    /// `precision` as the engine takes it (validated by `SpecLoader`; fp32 for anything else).
    public var productPrecision: Precision { Precision(rawValue: precision) ?? .fp32 }
    /// Evaluate the test split every this many epochs (the last epoch always).
    public var evalEvery = 1
    /// After training, evaluate each finished model (students and a trained teacher) on the
    /// corruption suite (`atkd eval --corruptions`: 8 corruptions × 5 severities) built from the
    /// first this many test images per class; the report's robustness table and the
    /// generalisation claim read it from `final.json`. 0 = off.
    public var corruptionPerClass = 0

    public init() {}
}

/// Which data, how much of it, and how it is augmented.
public struct DatasetSpec: Codable, Equatable {
    /// `cifar10` (binary batches, .bin or .bin.zst) or `imagefolder` (split/<class>/*.JPEG).
    public var kind = "cifar10"
    /// Folder under the data root (`--data-root`, `ATKD_DATA`, `./data`, `../shared/datasets`).
    public var path = "cifar-10-batches-bin"
    /// Training resolution (image folders are resized + centre-cropped to it).
    public var resolution = 32
    /// Images per class kept from the training split (0 = all), first in file order.
    public var trainPerClass = 0
    /// Images per class kept from the test split (0 = all).
    public var testPerClass = 0
    /// Images per class held out of the training split as a fixed, stratified validation set: the
    /// last `validation_per_class` of each class in file order (taken before `train_per_class`).
    /// Training never sees them; with a validation set, every epoch is evaluated on it (model and
    /// hyper-parameter choices are made there) and the test split only once, at the end. 0 = none.
    public var validationPerClass = 0
    /// Per-channel normalisation constants: `cifar10` or `imagenet` (ECOSYSTEM.md §4).
    public var normalization = "cifar10"
    public var augment = AugmentSpec()
    public init() {}
}

/// Training-time augmentation; every random choice comes from (seed, epoch, sample).
public struct AugmentSpec: Codable, Equatable {
    /// Random crop after padding by this many pixels (0 = off).
    public var cropPadding = 4
    /// `zero` (RepDistiller, kuangliu) or `reflect` (AT repo).
    public var padMode = "reflect"
    public var flip = true
    /// Random-resized-crop style scale range lower bound (0 = off; ImageNet-style when > 0).
    public var randomResizedCropMinScale: Float = 0
    /// Maximum absolute rotation in degrees (0 = off; the proposal lists rotation).
    public var rotationDegrees: Float = 0
    /// Brightness jitter: multiply by 1 ± this (0 = off; the proposal lists brightness).
    public var brightness: Float = 0
    /// Contrast jitter: blend with the mean by 1 ± this (0 = off).
    public var contrast: Float = 0
    public init() {}
}

/// Optimisation of one model.
public struct TrainSpec: Codable, Equatable {
    public var epochs = 30
    public var batchSize = 128
    /// Peak learning rate (per batch of `batch_size`).
    public var lr: Float = 0.1
    public var momentum: Float = 0.9
    public var nesterov = true
    public var weightDecay: Float = 5e-4
    public var schedule = ScheduleKind.onecycle
    public var warmupEpochs = 0
    /// Epochs at which a `step` schedule multiplies the rate by `gamma`.
    public var milestones: [Int] = []
    public var gamma: Float = 0.1
    public var labelSmoothing: Float = 0

    public init(epochs: Int = 30, lr: Float = 0.1) { self.epochs = epochs; self.lr = lr }
}

/// A model and how it is trained; `checkpoint` (teachers) is reused when present.
public struct NetworkSpec: Codable, Equatable {
    /// Architecture name as listed by `atkd models`.
    public var model: String
    /// Path of a trained checkpoint relative to the project root ("" = none).
    public var checkpoint = ""
    public var train: TrainSpec
    public init(model: String, checkpoint: String = "", train: TrainSpec) {
        self.model = model; self.checkpoint = checkpoint; self.train = train
    }
}

/// Distillation hyper-parameters shared by the arms (PAPERS.md §5 defaults).
public struct DistillSpec: Codable, Equatable {
    /// Hinton temperature T.
    public var temperature: Float = 4
    /// Weight of T²·KL (KD, AT+KD).
    public var kdWeight: Float = 0.9
    /// Weight of cross-entropy with the labels in KD and AT+KD (AT and CE arms use 1).
    public var ceWeight: Float = 0.1
    /// β on the per-tap mean squared error of normalised attention maps.
    public var atWeight: Float = 1000
    /// Exponent p of the attention map mean_c |A_c|^p.
    public var atP: Float = 2
    /// `code` (β·mean (q̂_s − q̂_t)², the authors' code) or `paper` ((β/2)·‖q̂_s − q̂_t‖₂).
    public var atForm = "code"
    /// Mismatched tap sizes: `avgpool` (pool the larger feature map) or `bilinear` (resize the map).
    public var atResize = "avgpool"
    /// Resolution-fair AT weight S_ref in pixels: tap j's term × S_j/S_ref, so β means the same at
    /// every map size (0 = off, the authors' code). E.g. 256 (16²): the AT paper's middle CIFAR tap.
    public var atReferencePixels = 0
    /// `same`: the AT arms stop before any training when teacher and student taps differ in
    /// activation state (post-ReLU vs pre-activation); `mixed`: allowed and recorded in each run's
    /// labels — RepDistiller pairs ResNet's post-ReLU stage outputs with MobileNetV2's linear
    /// block outputs, and so does the proposal's pair here.
    public var atTapStates = "same"

    // MARK: the related-method arms (defaults: `RelatedMethodOptions.defaults`, RepDistiller / mdistiller)
    /// `dkd`: α on TCKD, β on NCKD, their temperature, and the warm-up in epochs (mdistiller `cfg.DKD`).
    public var dkdAlpha = RelatedMethodOptions.defaults.dkdAlpha
    public var dkdBeta = RelatedMethodOptions.defaults.dkdBeta
    public var dkdTemperature = RelatedMethodOptions.defaults.dkdTemperature
    public var dkdWarmupEpochs = RelatedMethodOptions.defaults.dkdWarmupEpochs
    /// `rkd`: β on `w_d·distance + w_a·angle` of the embeddings, and w_d, w_a (RepDistiller `-b 1`, 25, 50).
    public var rkdWeight = RelatedMethodOptions.defaults.rkdWeight
    public var rkdDistanceWeight = RelatedMethodOptions.defaults.rkdDistanceWeight
    public var rkdAngleWeight = RelatedMethodOptions.defaults.rkdAngleWeight
    /// `sp`: β on the last tap pair's similarity loss (RepDistiller `-b 3000`).
    public var spWeight = RelatedMethodOptions.defaults.spWeight
    /// `pkt`: β on PKT of the embeddings (RepDistiller `-b 30000`).
    public var pktWeight = RelatedMethodOptions.defaults.pktWeight
    /// `fitnet`: β on the hint loss (RepDistiller `-b 100`) and the hinted tap (0-based, −1 = last;
    /// RepDistiller `--hint_layer 2` = tap 1).
    public var fitnetWeight = RelatedMethodOptions.defaults.fitnetWeight
    public var fitnetHintTap = RelatedMethodOptions.defaults.fitnetHintTap
    /// `crd`, `crdkd`: β on the contrastive loss (RepDistiller `-b 0.8`), head width (`--feat_dim`),
    /// negatives (`--nce_k`), NCE temperature (`--nce_t`), memory momentum (`--nce_m`), and the
    /// `kd` weight of `crdkd` (`-a 1`, at `temperature`).
    public var crdWeight = RelatedMethodOptions.defaults.crdWeight
    public var crdFeatureDim = RelatedMethodOptions.defaults.crdFeatureDim
    public var crdNegatives = RelatedMethodOptions.defaults.crdNegatives
    public var crdTemperature = RelatedMethodOptions.defaults.crdTemperature
    public var crdMomentum = RelatedMethodOptions.defaults.crdMomentum
    public var crdkdKdWeight = RelatedMethodOptions.defaults.crdkdKDWeight
    public init() {}

    /// The related-method options these keys give.
    public var relatedMethods: RelatedMethodOptions {
        RelatedMethodOptions(dkdAlpha: dkdAlpha, dkdBeta: dkdBeta, dkdTemperature: dkdTemperature,
                             dkdWarmupEpochs: dkdWarmupEpochs, rkdWeight: rkdWeight,
                             rkdDistanceWeight: rkdDistanceWeight, rkdAngleWeight: rkdAngleWeight,
                             spWeight: spWeight, pktWeight: pktWeight, fitnetWeight: fitnetWeight,
                             fitnetHintTap: fitnetHintTap, crdWeight: crdWeight, crdFeatureDim: crdFeatureDim,
                             crdNegatives: crdNegatives, crdTemperature: crdTemperature, crdMomentum: crdMomentum,
                             crdkdKDWeight: crdkdKdWeight)
    }
}
