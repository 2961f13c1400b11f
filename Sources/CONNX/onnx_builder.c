// ONNX ModelProto assembly on protobuf-c's generated structs; protobuf-c packs the bytes.
#include "onnx_builder.h"
#include "onnx.pb-c.h"
#include <stdlib.h>
#include <string.h>

struct OnnxBuilder {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
};

#define GROW(array, count) (array) = realloc((array), sizeof(*(array)) * ((count) + 1))

static char *dup(const char *s) { return strdup(s ? s : ""); }

OnnxBuilder *onnx_builder_new(const char *graph_name, int64_t ir_version, int64_t opset, const char *producer,
                              const char *producer_version) {
    OnnxBuilder *b = calloc(1, sizeof(OnnxBuilder));
    onnx__model_proto__init(&b->model);
    onnx__graph_proto__init(&b->graph);
    onnx__operator_set_id_proto__init(&b->opset);
    b->model.has_ir_version = 1; b->model.ir_version = ir_version;
    b->model.producer_name = dup(producer);
    b->model.producer_version = dup(producer_version);
    b->opset.domain = dup("");
    b->opset.has_version = 1; b->opset.version = opset;
    b->opsets[0] = &b->opset;
    b->model.n_opset_import = 1; b->model.opset_import = b->opsets;
    b->graph.name = dup(graph_name);
    b->model.graph = &b->graph;
    return b;
}

static Onnx__TensorProto *tensor(const char *name, const int64_t *dims, size_t ndims, int32_t type) {
    Onnx__TensorProto *t = calloc(1, sizeof(Onnx__TensorProto));
    onnx__tensor_proto__init(t);
    t->name = dup(name);
    t->n_dims = ndims;
    t->dims = malloc(sizeof(int64_t) * (ndims ? ndims : 1));
    memcpy(t->dims, dims, sizeof(int64_t) * ndims);
    t->has_data_type = 1; t->data_type = type;
    return t;
}

void onnx_builder_add_float_initializer(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims,
                                        const float *data, size_t count) {
    Onnx__TensorProto *t = tensor(name, dims, ndims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    // raw_data: little-endian float32 (x86-64 is little-endian), the compact form exporters use.
    t->has_raw_data = 1;
    t->raw_data.len = count * sizeof(float);
    t->raw_data.data = malloc(t->raw_data.len ? t->raw_data.len : 1);
    memcpy(t->raw_data.data, data, t->raw_data.len);
    GROW(b->graph.initializer, b->graph.n_initializer);
    b->graph.initializer[b->graph.n_initializer++] = t;
}

void onnx_builder_add_int64_initializer(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims,
                                        const int64_t *data, size_t count) {
    Onnx__TensorProto *t = tensor(name, dims, ndims, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
    t->n_int64_data = count;
    t->int64_data = malloc(sizeof(int64_t) * (count ? count : 1));
    memcpy(t->int64_data, data, sizeof(int64_t) * count);
    GROW(b->graph.initializer, b->graph.n_initializer);
    b->graph.initializer[b->graph.n_initializer++] = t;
}

static Onnx__ValueInfoProto *value_info(const char *name, const int64_t *dims, size_t ndims) {
    Onnx__ValueInfoProto *v = calloc(1, sizeof(Onnx__ValueInfoProto));
    onnx__value_info_proto__init(v);
    v->name = dup(name);
    Onnx__TypeProto *type = calloc(1, sizeof(Onnx__TypeProto));
    onnx__type_proto__init(type);
    Onnx__TypeProto__Tensor *tt = calloc(1, sizeof(Onnx__TypeProto__Tensor));
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1; tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    Onnx__TensorShapeProto *shape = calloc(1, sizeof(Onnx__TensorShapeProto));
    onnx__tensor_shape_proto__init(shape);
    shape->n_dim = ndims;
    shape->dim = calloc(ndims ? ndims : 1, sizeof(Onnx__TensorShapeProto__Dimension *));
    for (size_t i = 0; i < ndims; i++) {
        Onnx__TensorShapeProto__Dimension *d = calloc(1, sizeof(Onnx__TensorShapeProto__Dimension));
        onnx__tensor_shape_proto__dimension__init(d);
        if (dims[i] < 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = dup("batch");
        } else {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        shape->dim[i] = d;
    }
    tt->shape = shape;
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    v->type = type;
    return v;
}

void onnx_builder_add_input(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims) {
    GROW(b->graph.input, b->graph.n_input);
    b->graph.input[b->graph.n_input++] = value_info(name, dims, ndims);
}

void onnx_builder_add_output(OnnxBuilder *b, const char *name, const int64_t *dims, size_t ndims) {
    GROW(b->graph.output, b->graph.n_output);
    b->graph.output[b->graph.n_output++] = value_info(name, dims, ndims);
}

void onnx_builder_add_node(OnnxBuilder *b, const char *op_type, const char *name, const char *const *inputs,
                           size_t ninputs, const char *const *outputs, size_t noutputs) {
    Onnx__NodeProto *n = calloc(1, sizeof(Onnx__NodeProto));
    onnx__node_proto__init(n);
    n->op_type = dup(op_type);
    n->name = dup(name);
    n->n_input = ninputs;
    n->input = calloc(ninputs ? ninputs : 1, sizeof(char *));
    for (size_t i = 0; i < ninputs; i++) n->input[i] = dup(inputs[i]);
    n->n_output = noutputs;
    n->output = calloc(noutputs ? noutputs : 1, sizeof(char *));
    for (size_t i = 0; i < noutputs; i++) n->output[i] = dup(outputs[i]);
    GROW(b->graph.node, b->graph.n_node);
    b->graph.node[b->graph.n_node++] = n;
}

static Onnx__AttributeProto *attribute(OnnxBuilder *b, const char *name, Onnx__AttributeProto__AttributeType type) {
    Onnx__NodeProto *n = b->graph.node[b->graph.n_node - 1];
    Onnx__AttributeProto *a = calloc(1, sizeof(Onnx__AttributeProto));
    onnx__attribute_proto__init(a);
    a->name = dup(name);
    a->has_type = 1; a->type = type;
    GROW(n->attribute, n->n_attribute);
    n->attribute[n->n_attribute++] = a;
    return a;
}

void onnx_builder_attr_int(OnnxBuilder *b, const char *name, int64_t value) {
    Onnx__AttributeProto *a = attribute(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1; a->i = value;
}

void onnx_builder_attr_float(OnnxBuilder *b, const char *name, float value) {
    Onnx__AttributeProto *a = attribute(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1; a->f = value;
}

void onnx_builder_attr_ints(OnnxBuilder *b, const char *name, const int64_t *values, size_t count) {
    Onnx__AttributeProto *a = attribute(b, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = count;
    a->ints = malloc(sizeof(int64_t) * (count ? count : 1));
    memcpy(a->ints, values, sizeof(int64_t) * count);
}

uint8_t *onnx_builder_pack(OnnxBuilder *b, size_t *size) {
    *size = onnx__model_proto__get_packed_size(&b->model);
    uint8_t *out = malloc(*size ? *size : 1);
    onnx__model_proto__pack(&b->model, out);
    return out;
}

void onnx_builder_free(OnnxBuilder *b) {
    // The graph and model are embedded in the builder, not heap messages of their own: free their
    // heap-allocated parts with protobuf-c's generic free, then the builder.
    for (size_t i = 0; i < b->graph.n_node; i++) onnx__node_proto__free_unpacked(b->graph.node[i], NULL);
    for (size_t i = 0; i < b->graph.n_initializer; i++) onnx__tensor_proto__free_unpacked(b->graph.initializer[i], NULL);
    for (size_t i = 0; i < b->graph.n_input; i++) onnx__value_info_proto__free_unpacked(b->graph.input[i], NULL);
    for (size_t i = 0; i < b->graph.n_output; i++) onnx__value_info_proto__free_unpacked(b->graph.output[i], NULL);
    free(b->graph.node); free(b->graph.initializer); free(b->graph.input); free(b->graph.output);
    free(b->graph.name); free(b->model.producer_name); free(b->model.producer_version); free(b->opset.domain);
    free(b);
}
