// ONNX export of a zoo model in eval mode (opset 13), for runtimes on devices (the proposal's IoT
// student). Messages are built and encoded by protobuf-c from onnx.proto (Sources/CONNX).

import Foundation
import TensorCore
import NN
import Models
import ZhuAttention
import CONNX

/// Why a model cannot be exported; names the layer.
public struct ONNXExportError: Error, CustomStringConvertible {
    public var description: String
}

/// Walks a `TappedNetwork` and writes one ONNX node per op: Conv, BatchNormalization (eval:
/// running statistics), Relu, Clip (ReLU6), Add, MaxPool, AveragePool (count_include_pad),
/// GlobalAveragePool, Flatten, Gemm (transB), Slice + Pad (option-A shortcut), Identity (dropout).
///
/// Input `input` [batch, 3, S, S] (batch symbolic), output `logits` [batch, classes].
/// - Reference: onnx/docs/Operators.md, opset 13 (Clip takes min and max as inputs since 11).
/// - Deviation: the AW-convolution (per-sample kernels) has no ONNX form here and is refused.
public final class ONNXExporter {
    public static let opset: Int64 = 13
    public static let irVersion: Int64 = 8

    let builder: OpaquePointer
    var counter = 0

    init(graphName: String) {
        builder = onnx_builder_new(graphName, Self.irVersion, Self.opset, "atkd", ATKDONNXVersion.string)
    }
    deinit { onnx_builder_free(builder) }

    /// The serialised ONNX model of `model` for `input`×`input` RGB images.
    public static func export(_ model: TappedNetwork, input: Int) throws -> [UInt8] {
        let e = ONNXExporter(graphName: model.name)
        e.addInput("input", [-1, 3, Int64(input), Int64(input)])
        var h = try e.emit(model.stem, "input")
        for stage in model.stages { h = try e.emit(stage.layer, h) }
        h = try e.emit(model.head, h)
        let out = e.node("Identity", [h], name: "logits")
        e.addOutput(out, [-1, Int64(model.numClasses)])
        var size = 0
        guard let bytes = onnx_builder_pack(e.builder, &size) else { throw ONNXExportError(description: "protobuf-c packing failed") }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    // MARK: graph pieces

    func fresh(_ op: String) -> String { counter += 1; return "\(op.lowercased())_\(counter)" }

    @discardableResult
    func node(_ op: String, _ inputs: [String], name: String? = nil, attributes: (() -> Void)? = nil) -> String {
        let out = name ?? fresh(op)
        withCStrings(inputs) { ins in
            withCStrings([out]) { outs in
                onnx_builder_add_node(builder, op, out, ins, inputs.count, outs, 1)
            }
        }
        attributes?()
        return out
    }

    func ints(_ name: String, _ v: [Int]) { onnx_builder_attr_ints(builder, name, v.map(Int64.init), v.count) }
    func int(_ name: String, _ v: Int) { onnx_builder_attr_int(builder, name, Int64(v)) }

    func floats(_ name: String, _ t: Tensor) {
        onnx_builder_add_float_initializer(builder, name, t.shape.map(Int64.init), t.shape.count, t.data, t.count)
    }
    func int64s(_ name: String, _ v: [Int64]) {
        onnx_builder_add_int64_initializer(builder, name, [Int64(v.count)], 1, v, v.count)
    }
    func addInput(_ name: String, _ dims: [Int64]) { onnx_builder_add_input(builder, name, dims, dims.count) }
    func addOutput(_ name: String, _ dims: [Int64]) { onnx_builder_add_output(builder, name, dims, dims.count) }

    // MARK: layers

    /// Emits `layer` applied to tensor `x`; returns the output's name.
    func emit(_ layer: any Layer, _ x: String) throws -> String {
        switch layer {
        case let s as Sequential:
            var h = x
            for l in s.layers { h = try emit(l, h) }
            return h
        case let c as Conv2d:
            floats(c.weight.name, c.weight.value)
            var inputs = [x, c.weight.name]
            if let b = c.bias { floats(b.name, b.value); inputs.append(b.name) }
            let k = c.kernelSize, cfg = c.config
            return node("Conv", inputs) {
                self.ints("kernel_shape", [k, k]); self.ints("strides", [cfg.stride, cfg.stride])
                self.ints("pads", [cfg.padding, cfg.padding, cfg.padding, cfg.padding]); self.int("group", cfg.groups)
            }
        case let bn as BatchNorm2d:
            for t in [bn.weight.name, bn.bias.name] { floats(t, t == bn.weight.name ? bn.weight.value : bn.bias.value) }
            floats(bn.runningMean.name, bn.runningMean.value)
            floats(bn.runningVar.name, bn.runningVar.value)
            let eps = bn.eps
            return node("BatchNormalization", [x, bn.weight.name, bn.bias.name, bn.runningMean.name, bn.runningVar.name]) {
                onnx_builder_attr_float(self.builder, "epsilon", eps)
            }
        case is ReLU:
            return node("Relu", [x])
        case is ReLU6:
            if !clipBoundsAdded {
                floats("relu6.min", Tensor(shape: [], data: [0])); floats("relu6.max", Tensor(shape: [], data: [6]))
                clipBoundsAdded = true
            }
            return node("Clip", [x, "relu6.min", "relu6.max"])
        case let r as Residual:
            let y = try emit(r.body, x)
            let s = try r.shortcut.map { try emit($0, x) } ?? x
            let sum = node("Add", [y, s])
            return try r.activation.map { try emit($0, sum) } ?? sum
        case let z as ZeroPadShortcut:
            // x[:, :, ::s, ::s], then zero channels: (out − in)/2 in front, the rest behind.
            let tag = fresh("optionA")
            int64s("\(tag).starts", [0, 0]); int64s("\(tag).ends", [Int64.max, Int64.max])
            int64s("\(tag).axes", [2, 3]); int64s("\(tag).steps", [Int64(z.stride), Int64(z.stride)])
            let sliced = node("Slice", [x, "\(tag).starts", "\(tag).ends", "\(tag).axes", "\(tag).steps"])
            let front = Int64((z.outChannels - z.inChannels) / 2), back = Int64(z.outChannels - z.inChannels) - front
            int64s("\(tag).pads", [0, front, 0, 0, 0, back, 0, 0])
            return node("Pad", [sliced, "\(tag).pads"])
        case let w as WideBasicBlock:
            let o = try emit(w.pre, x)
            let y = try emit(w.body, o)
            let s = try w.shortcut.map { try emit($0, o) } ?? x
            return node("Add", [y, s])
        case let p as MaxPool2d:
            let c = p.config
            return node("MaxPool", [x]) {
                self.ints("kernel_shape", [c.kernel, c.kernel]); self.ints("strides", [c.stride, c.stride])
                self.ints("pads", [c.padding, c.padding, c.padding, c.padding])
            }
        case let p as AvgPool2d:
            let c = p.config
            return node("AveragePool", [x]) {
                self.ints("kernel_shape", [c.kernel, c.kernel]); self.ints("strides", [c.stride, c.stride])
                self.ints("pads", [c.padding, c.padding, c.padding, c.padding]); self.int("count_include_pad", 1)
            }
        case let p as AdaptiveAvgPool2d:
            guard p.outH == 1, p.outW == 1 else {
                throw ONNXExportError(description: "adaptive average pooling to \(p.outH)×\(p.outW) has no ONNX form here (only 1×1)")
            }
            return node("GlobalAveragePool", [x])
        case is Flatten:
            return node("Flatten", [x]) { self.int("axis", 1) }
        case let l as Linear:
            floats(l.weight.name, l.weight.value); floats(l.bias.name, l.bias.value)
            return node("Gemm", [x, l.weight.name, l.bias.name]) { self.int("transB", 1) }
        case is Dropout, is Identity:
            return x
        case is AWConv2d:
            throw ONNXExportError(description: "the AW-convolution (per-sample kernels, ZhuAttention) has no ONNX form here; "
                                  + "export a model without `-awconv` (the students)")
        default:
            throw ONNXExportError(description: "layer \(type(of: layer)) has no ONNX export")
        }
    }

    var clipBoundsAdded = false
}

/// The producer version written into exported models.
public enum ATKDONNXVersion {
    public static let string = "0.6.0"
}

/// Calls `body` with a C array of C strings (valid only inside the call).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicated = strings.map { UnsafePointer(strdup($0)) }
    defer { for p in duplicated { free(UnsafeMutablePointer(mutating: p)) } }
    return duplicated.withUnsafeBufferPointer { body($0.baseAddress!) }
}
