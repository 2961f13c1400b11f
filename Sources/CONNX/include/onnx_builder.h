// A small builder of ONNX ModelProto messages over the protobuf-c code generated from
// onnx.proto (the encoding is protobuf-c's): Swift adds nodes, initializers, inputs and outputs.
#ifndef ONNX_BUILDER_H
#define ONNX_BUILDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct OnnxBuilder OnnxBuilder;

/// A model with one graph named `graph_name`, default-domain `opset`, `ir_version`.
OnnxBuilder *onnx_builder_new(const char *graph_name, int64_t ir_version, int64_t opset, const char *producer,
                              const char *producer_version);
void onnx_builder_free(OnnxBuilder *b);

/// A float32 initializer (a constant tensor: weights, BN statistics, Clip bounds).
void onnx_builder_add_float_initializer(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims,
                                        const float *data, size_t count);
/// An int64 initializer (Slice starts/ends/axes/steps, Pad pads).
void onnx_builder_add_int64_initializer(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims,
                                        const int64_t *data, size_t count);
/// A float32 graph input or output of the given shape; a dimension < 0 is symbolic (`batch`).
void onnx_builder_add_input(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims);
void onnx_builder_add_output(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims);

/// Adds a node; attributes go to the node added last.
void onnx_builder_add_node(OnnxBuilder *b, const char *op_type, const char *name, const char *const *inputs,
                           size_t ninputs, const char *const *outputs, size_t noutputs);
void onnx_builder_attr_int(OnnxBuilder *b, const char *name, int64_t value);
void onnx_builder_attr_float(OnnxBuilder *b, const char *name, float value);
void onnx_builder_attr_ints(OnnxBuilder *b, const char *name, const int64_t *values, size_t count);

/// The serialised model; the caller frees it with free().
uint8_t *onnx_builder_pack(OnnxBuilder *b, size_t *size);

#endif
