// ONNX export: the bytes parse back (protobuf-c) into the graph we meant — ops, initializers with
// our weights, attributes, opset — and the AW-convolution is refused by name. Numerical agreement
// with a runtime is `make test-onnx` (onnxruntime from PyPI).

import XCTest
import TensorCore
import NN
import Models
import ONNXExport
import CONNX

final class ONNXExporterTests: XCTestCase {
    struct Parsed {
        var ops: [String] = []
        var initializers: [String: [Float]] = [:]
        var opset: Int64 = 0
        var inputs: [String] = [], outputs: [String] = []
        var attributes: [String: [String: [Int64]]] = [:]
    }

    func parse(_ bytes: [UInt8]) throws -> Parsed {
        let model = try XCTUnwrap(bytes.withUnsafeBufferPointer { onnx__model_proto__unpack(nil, $0.count, $0.baseAddress) })
        defer { onnx__model_proto__free_unpacked(model, nil) }
        var p = Parsed()
        p.opset = model.pointee.opset_import[0]!.pointee.version
        let g = model.pointee.graph!.pointee
        for i in 0..<g.n_node {
            let n = g.node[i]!.pointee
            let op = String(cString: n.op_type)
            p.ops.append(op)
            var attrs: [String: [Int64]] = [:]
            for j in 0..<n.n_attribute {
                let a = n.attribute[j]!.pointee
                attrs[String(cString: a.name)] = a.n_ints > 0 ? Array(UnsafeBufferPointer(start: a.ints, count: a.n_ints)) : [a.i]
            }
            p.attributes["\(i):\(op)"] = attrs
        }
        for i in 0..<g.n_initializer {
            let t = g.initializer[i]!.pointee
            if t.data_type == 1 {
                let raw = UnsafeRawBufferPointer(start: t.raw_data.data, count: t.raw_data.len)
                p.initializers[String(cString: t.name)] = Array(raw.bindMemory(to: Float.self))
            }
        }
        p.inputs = (0..<g.n_input).map { String(cString: g.input[$0]!.pointee.name) }
        p.outputs = (0..<g.n_output).map { String(cString: g.output[$0]!.pointee.name) }
        return p
    }

    func testWideResNetGraphHasItsOpsWeightsAndAttributes() throws {
        var rng = SeededRNG(seed: 3)
        let model = try ModelZoo.build(ModelSpec(parsing: "wrn-10-2-w16"), classes: 10, input: 8, rng: &rng)
        let p = try parse(try ONNXExporter.export(model, input: 8))
        XCTAssertEqual(p.opset, 13)
        XCTAssertEqual(p.inputs, ["input"])
        XCTAssertEqual(p.outputs, ["logits"])
        XCTAssertEqual(p.ops.filter { $0 == "Conv" }.count, model.parameters.filter { $0.name.hasSuffix("weight") && $0.value.rank == 4 }.count)
        XCTAssertEqual(p.ops.filter { $0 == "BatchNormalization" }.count, model.buffers.count / 2)
        XCTAssertEqual(p.ops.suffix(4), ["GlobalAveragePool", "Flatten", "Gemm", "Identity"])
        // Every parameter and BN statistic travels under its state_dict name, bit for bit.
        for t in model.parameters.map({ ($0.name, $0.value) }) + model.buffers.map({ ($0.name, $0.value) }) {
            XCTAssertEqual(p.initializers[t.0], t.1.data, t.0)
        }
        let firstConv = try XCTUnwrap(p.attributes.first { $0.key.hasPrefix("0:Conv") }?.value)
        XCTAssertEqual(firstConv["kernel_shape"], [3, 3])
        XCTAssertEqual(firstConv["pads"], [1, 1, 1, 1])
    }

    func testMobileNetV2UsesClipAndGroupsAndTheOptionAShortcutSliceAndPad() throws {
        var rng = SeededRNG(seed: 3)
        let mv2 = try ModelZoo.build(ModelSpec(parsing: "mobilenetv2-w8-last32"), classes: 10, input: 16, rng: &rng)
        let p = try parse(try ONNXExporter.export(mv2, input: 16))
        XCTAssertTrue(p.ops.contains("Add") && p.ops.contains("Relu"))
        // The ImageNet MobileNetV2 (torchvision) uses ReLU6: Clip with the bounds 0 and 6 as inputs.
        let imagenet = try ModelZoo.build(ModelSpec(parsing: "mobilenetv2-w8-imagenet"), classes: 10, input: 32, rng: &rng)
        let i = try parse(try ONNXExporter.export(imagenet, input: 32))
        XCTAssertTrue(i.ops.contains("Clip"))
        XCTAssertEqual(i.initializers["relu6.min"], [0])
        XCTAssertEqual(i.initializers["relu6.max"], [6])
        XCTAssertTrue(p.attributes.contains { $0.key.hasSuffix(":Conv") && ($0.value["group"]?.first ?? 1) > 1 }, "depthwise convs keep their groups")
        let resnet = try ModelZoo.build(ModelSpec(parsing: "resnet20-w4"), classes: 10, input: 16, rng: &rng)
        let q = try parse(try ONNXExporter.export(resnet, input: 16))
        XCTAssertEqual(q.ops.filter { $0 == "Slice" }.count, 2, "two option-A shortcuts in a CIFAR ResNet")
        XCTAssertEqual(q.ops.filter { $0 == "Pad" }.count, 2)
    }

    func testTheAWConvolutionIsRefusedByName() throws {
        var rng = SeededRNG(seed: 3)
        let aw = try ModelZoo.build(ModelSpec(parsing: "resnet50-w64-awconv"), classes: 10, input: 16, rng: &rng)
        XCTAssertThrowsError(try ONNXExporter.export(aw, input: 16)) { e in
            XCTAssertTrue("\(e)".contains("AW-convolution"), "\(e)")
        }
    }
}
