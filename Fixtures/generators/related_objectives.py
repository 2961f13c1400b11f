"""Golden fixtures (format v1) for the related methods with trainable parts, by PyTorch in float64.

Run from the package root:  /work/main/.venv-torch/bin/python Fixtures/generators/related_objectives.py
(or any python with torch). Writes Fixtures/losses/{fitnet,crd}_*.json. Each is the reference code
transcribed (HobbitLong/RepDistiller, read at the commits named below); gradients are torch autograd:
  fitnet_hint  models/util.py::ConvReg (@ eedab9d1450c: conv → BatchNorm2d (train mode) → ReLU; the
               conv picked by the shapes) + distiller_zoo/FitNet.py::HintLoss (nn.MSELoss, mean)
               expected: loss, grads of the student tap and of conv/BN parameters, and the BN
               running statistics after the forward (momentum 0.1, unbiased variance)
  crd_loss     crd/criterion.py::CRDLoss (@ 1fb2343fb5a6: Embed = Linear + Normalize(2) per side,
               ContrastLoss per side, loss = s_loss + t_loss) and crd/memory.py::ContrastMemory.forward
               (@ 97c4c00b511b) with contrast_idx given (mode 'exact', positive first)
               expected: loss, s_loss, t_loss, grads of the student feature and of both heads,
               the memories after the momentum update, and the normalisation constants used
Each fixture gets its own seed (crc32 of its name).
"""

import math

import torch
import torch.nn.functional as F

from fixture_io import generator_for, grads, rand, randn, seed_for, write_fixture


def tolerance_for(expected):
    """rtol 1e-4; atol 1e-5 of the largest gradient element (float32 forwards on our side)."""
    big = max(float(v.detach().abs().max()) for k, v in expected.items() if k.startswith("grad."))
    return {"rtol": 1e-4, "atol": 1e-5 * big}


# MARK: FitNets — ConvReg + HintLoss

def conv_reg_geometry(s_shape, t_shape):
    """RepDistiller ConvReg's choice of conv: (kernel, stride, padding)."""
    _, _, s_h, _ = s_shape
    _, _, t_h, _ = t_shape
    if s_h == 2 * t_h:
        return 3, 2, 1
    if s_h * 2 == t_h:
        raise NotImplementedError("ConvTranspose2d case")
    if s_h >= t_h:
        return 1 + s_h - t_h, 1, 0
    raise NotImplementedError(f"student size {s_h}, teacher size {t_h}")


def fitnet_case(name, s_shape, t_shape):
    seed = seed_for(name)
    g = generator_for(seed)
    k, stride, pad = conv_reg_geometry(s_shape, t_shape)
    cs, ct = s_shape[1], t_shape[1]
    bound = 1 / math.sqrt(cs * k * k)  # nn.Conv2d's default law
    inputs = {
        "student": randn(s_shape, g, requires_grad=True),
        "teacher": randn(t_shape, g),
        "conv_weight": rand([ct, cs, k, k], g, -bound, bound, requires_grad=True),
        "conv_bias": rand([ct], g, -bound, bound, requires_grad=True),
        "bn_weight": rand([ct], g, 0.5, 1.5, requires_grad=True),
        "bn_bias": rand([ct], g, -0.5, 0.5, requires_grad=True),
    }
    running_mean = torch.zeros(ct, dtype=torch.float64)
    running_var = torch.ones(ct, dtype=torch.float64)
    x = F.conv2d(inputs["student"], inputs["conv_weight"], inputs["conv_bias"], stride=stride, padding=pad)
    y = F.relu(F.batch_norm(x, running_mean, running_var, inputs["bn_weight"], inputs["bn_bias"],
                            training=True, momentum=0.1, eps=1e-5))
    loss = F.mse_loss(y, inputs["teacher"])
    expected = {"loss": loss.detach().reshape([])}
    expected.update(grads(inputs, loss=loss))
    expected["running_mean"] = running_mean
    expected["running_var"] = running_var
    size = write_fixture(f"losses/{name}.json", name, "fitnet_hint",
                         {"kernel": k, "stride": stride, "padding": pad}, inputs, expected,
                         tolerance=tolerance_for(expected), seed=seed, generator=__file__)
    print(f"{name}: {size} bytes, loss {float(loss.detach()):.6g}")


# MARK: CRD — CRDLoss, ContrastMemory, ContrastLoss, Embed, Normalize

EPS = 1e-7


def normalize(x):
    """Normalize(2): x / ||x||_2 per row, no floor."""
    return x.div(x.pow(2).sum(1, keepdim=True).pow(0.5))


def contrast_loss(x, n_data):
    """ContrastLoss.forward (eq. 18)."""
    bsz = x.shape[0]
    m = x.size(1) - 1
    pn = 1 / float(n_data)
    p_pos = x.select(1, 0)
    log_d1 = torch.div(p_pos, p_pos.add(m * pn + EPS)).log_()
    p_neg = x.narrow(1, 1, m)
    log_d0 = torch.div(p_neg.clone().fill_(m * pn), p_neg.add(m * pn + EPS)).log_()
    return -(log_d1.sum(0) + log_d0.view(-1, 1).sum(0)) / bsz


def memory_forward(memory_v1, memory_v2, params, v1, v2, y, idx):
    """ContrastMemory.forward with idx given; updates the memories and params in place."""
    k = int(params[0].item())
    t = params[1].item()
    z_v1 = params[2].item()
    z_v2 = params[3].item()
    momentum = params[4].item()
    batch = v1.size(0)
    output_size = memory_v1.size(0)
    input_size = memory_v1.size(1)
    weight_v1 = torch.index_select(memory_v1, 0, idx.view(-1)).detach().view(batch, k + 1, input_size)
    out_v2 = torch.exp(torch.div(torch.bmm(weight_v1, v2.view(batch, input_size, 1)), t))
    weight_v2 = torch.index_select(memory_v2, 0, idx.view(-1)).detach().view(batch, k + 1, input_size)
    out_v1 = torch.exp(torch.div(torch.bmm(weight_v2, v1.view(batch, input_size, 1)), t))
    if z_v1 < 0:
        params[2] = out_v1.mean().detach() * output_size
        z_v1 = params[2].clone().detach().item()
    if z_v2 < 0:
        params[3] = out_v2.mean().detach() * output_size
        z_v2 = params[3].clone().detach().item()
    out_v1 = torch.div(out_v1, z_v1).contiguous()
    out_v2 = torch.div(out_v2, z_v2).contiguous()
    with torch.no_grad():
        l_pos = torch.index_select(memory_v1, 0, y.view(-1))
        l_pos.mul_(momentum)
        l_pos.add_(torch.mul(v1, 1 - momentum))
        memory_v1.index_copy_(0, y, l_pos.div(l_pos.pow(2).sum(1, keepdim=True).pow(0.5)))
        ab_pos = torch.index_select(memory_v2, 0, y.view(-1))
        ab_pos.mul_(momentum)
        ab_pos.add_(torch.mul(v2, 1 - momentum))
        memory_v2.index_copy_(0, y, ab_pos.div(ab_pos.pow(2).sum(1, keepdim=True).pow(0.5)))
    return out_v1, out_v2


def crd_case(name, n, d_s, d_t, feat, n_data, k, temperature=0.07, momentum=0.5, preset_z=None):
    seed = seed_for(name)
    g = generator_for(seed)
    stdv = 1.0 / math.sqrt(feat / 3)
    bs, bt = 1 / math.sqrt(d_s), 1 / math.sqrt(d_t)
    inputs = {
        "student": randn([n, d_s], g, requires_grad=True),
        "teacher": randn([n, d_t], g),
        "embed_s_weight": rand([feat, d_s], g, -bs, bs, requires_grad=True),
        "embed_s_bias": rand([feat], g, -bs, bs, requires_grad=True),
        "embed_t_weight": rand([feat, d_t], g, -bt, bt, requires_grad=True),
        "embed_t_bias": rand([feat], g, -bt, bt, requires_grad=True),
        "memory_v1": rand([n_data, feat], g, -stdv, stdv),
        "memory_v2": rand([n_data, feat], g, -stdv, stdv),
    }
    positions = torch.randperm(n_data, generator=g)[:n]
    # mode 'exact': the positive is the sample itself, negatives drawn from the other rows
    contrast = torch.stack([torch.cat([p.view(1), torch.randint(0, n_data, (k,), generator=g)]) for p in positions])
    inputs["indices"] = positions.to(torch.float64)
    inputs["contrast_idx"] = contrast.to(torch.float64)
    z = preset_z if preset_z is not None else (-1.0, -1.0)
    if preset_z is not None:
        inputs["normalization"] = torch.tensor(list(preset_z), dtype=torch.float64)
    params_buf = torch.tensor([k, temperature, z[0], z[1], momentum], dtype=torch.float64)
    memory_v1 = inputs["memory_v1"].detach().clone()
    memory_v2 = inputs["memory_v2"].detach().clone()
    f_s = normalize(F.linear(inputs["student"], inputs["embed_s_weight"], inputs["embed_s_bias"]))
    f_t = normalize(F.linear(inputs["teacher"], inputs["embed_t_weight"], inputs["embed_t_bias"]))
    out_s, out_t = memory_forward(memory_v1, memory_v2, params_buf, f_s, f_t, positions, contrast)
    s_loss = contrast_loss(out_s, n_data)
    t_loss = contrast_loss(out_t, n_data)
    loss = s_loss + t_loss
    expected = {"loss": loss.detach().reshape([]), "s_loss": s_loss.detach().reshape([]),
                "t_loss": t_loss.detach().reshape([])}
    expected.update(grads(inputs, loss=loss))
    expected["memory_v1_after"] = memory_v1
    expected["memory_v2_after"] = memory_v2
    expected["normalization"] = params_buf[2:4].clone()
    size = write_fixture(f"losses/{name}.json", name, "crd_loss",
                         {"temperature": temperature, "momentum": momentum, "nce_k": k},
                         inputs, expected, tolerance=tolerance_for(expected), seed=seed, generator=__file__,
                         integer_inputs=("indices", "contrast_idx"))
    print(f"{name}: {size} bytes, loss {float(loss.detach()):.6g}, Z {params_buf[2].item():.6g} {params_buf[3].item():.6g}")


def main():
    fitnet_case("fitnet_equal_1x1", [2, 3, 4, 4], [2, 5, 4, 4])
    fitnet_case("fitnet_half_3x3_s2", [2, 4, 6, 6], [2, 3, 3, 3])
    fitnet_case("fitnet_larger_3x3_valid", [2, 3, 5, 5], [2, 4, 3, 3])
    # F = 10 exercises the 8-lane dot product and its remainder; the first batch sets Z.
    crd_case("crd_first_batch_sets_z", n=4, d_s=6, d_t=5, feat=10, n_data=12, k=5)
    crd_case("crd_preset_z", n=3, d_s=8, d_t=9, feat=8, n_data=10, k=7, temperature=0.1, momentum=0.3,
             preset_z=(9.5, 11.25))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    main()
