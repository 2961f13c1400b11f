"""Golden fixtures (format v1) for the distillation losses, computed by PyTorch in float64.

Run from the package root:  .venv-torch/bin/python Fixtures/generators/losses.py
Writes Fixtures/losses/<name>.json. Formulas are those of the reference code:
  kd_loss  RepDistiller distiller_zoo/KD.py::DistillKL + train_student.py
           loss = ce_weight·CE(z_s, y) + kd_weight·KL(p_t‖q_s)·T²/N
  at_map   attention-transfer utils.py::at = F.normalize(x.pow(p).mean(1).view(N, -1))
           (|x|^p for odd p; "paper" = channel sum; "max" = channel max)
  at_loss  RepDistiller distiller_zoo/AT.py::at_loss (adaptive_avg_pool2d of the larger
           feature map), loss = beta·mean((q̂_s − q̂_t)²); "bilinear" resizes the smaller
           unnormalised map (F.interpolate, align_corners=False) before normalising;
           form "paper" = beta·(1/2)·mean_n ‖q̂_s,n − q̂_t,n‖₂.
Each fixture gets its own seed (crc32 of its name).
"""

import torch
import torch.nn.functional as F

from fixture_io import generator_for, grads, rand, randn, seed_for, write_fixture


def quantised(shape, g, scale):
    """Normal logits × scale on a 1/64 grid: exact in float32 and short in JSON (K = 1000 fits < 100 KB)."""
    t = torch.round(torch.randn(shape, generator=g, dtype=torch.float64) * scale * 64) / 64
    return t.requires_grad_(True)


def tolerance_for(expected):
    """rtol 1e-4; atol 1e-5 scaled by the largest expected magnitude (β = 1000 makes gradients large)."""
    big = max(float(v.detach().abs().max()) for v in expected.values())
    return {"rtol": 1e-4, "atol": 1e-5 * max(1.0, big)}


def emit(name, op, params, inputs, outputs, loss=None, upstream=None, seed=0, integer_inputs=()):
    expected = dict(outputs)
    if loss is not None:
        expected.update(grads(inputs, loss=loss))
    else:
        expected.update(grads(inputs, outputs_and_upstream=[(outputs[k], upstream[k]) for k in upstream]))
    size = write_fixture(f"losses/{name}.json", name, op, params, inputs, expected, upstream=upstream,
                         tolerance=tolerance_for(expected), seed=seed, generator=__file__,
                         integer_inputs=integer_inputs)
    print(f"{name}: {size} bytes")


# MARK: KD

def distill_kl(y_s, y_t, T):
    """RepDistiller DistillKL: F.kl_div(log_softmax(y_s/T), softmax(y_t/T), size_average=False)·T²/N."""
    p_s = F.log_softmax(y_s / T, dim=1)
    p_t = F.softmax(y_t / T, dim=1)
    return F.kl_div(p_s, p_t, reduction="sum") * T ** 2 / y_s.shape[0]


def soft_ce(y_s, y_t, T):
    """Hinton's soft-target cross-entropy, batch-averaged, ×T²."""
    return -(F.softmax(y_t / T, dim=1) * F.log_softmax(y_s / T, dim=1)).sum(1).mean() * T ** 2


def kd(name, n, k, T, kd_weight=0.9, ce_weight=0.1, form="kl", quantise=False):
    seed = seed_for(name)
    g = generator_for(seed)
    if quantise:
        s, t = quantised([n, k], g, 2.0), quantised([n, k], g, 3.0)
        t = t.detach()
    else:
        s, t = randn([n, k], g, 2.0, requires_grad=True), randn([n, k], g, 3.0)
    y = torch.randint(0, k, (n,), generator=g).to(torch.float64)
    soft = distill_kl(s, t, T) if form == "kl" else soft_ce(s, t, T)
    loss = ce_weight * F.cross_entropy(s, y.long()) + kd_weight * soft
    params = {"temperature": float(T), "kd_weight": kd_weight, "ce_weight": ce_weight}
    if form != "kl":
        params["form"] = form
    emit(name, "kd_loss", params,
         {"student_logits": s, "teacher_logits": t, "labels": y},
         {"loss": loss.detach().reshape([])}, loss=loss, seed=seed, integer_inputs=("labels",))


# MARK: AT

def raw_map(x, p, form):
    a = x.pow(p) if p % 2 == 0 else x.abs().pow(p)
    if form == "code":
        return a.mean(1, keepdim=True)
    if form == "paper":
        return a.sum(1, keepdim=True)
    return a.max(1, keepdim=True)[0]


def at(x, p=2, form="code"):
    return F.normalize(raw_map(x, p, form).view(x.size(0), -1))


def at_map(name, shape, p, form):
    seed = seed_for(name)
    g = generator_for(seed)
    x = randn(shape, g, requires_grad=True)
    m = at(x, p, form)
    emit(name, "at_map", {"p": p, "form": form}, {"x": x}, {"map": m},
         upstream={"map": rand(list(m.shape), g)}, seed=seed)


def at_loss(name, s_shape, t_shape, resize, beta=1000.0, p=2, form="code"):
    seed = seed_for(name)
    g = generator_for(seed)
    f_s = randn(s_shape, g, requires_grad=True)
    f_t = randn(t_shape, g)
    if resize == "bilinear":
        q_s, q_t = raw_map(f_s, p, "code"), raw_map(f_t, p, "code")
        if q_s.shape[2] < q_t.shape[2]:
            q_s = F.interpolate(q_s, size=q_t.shape[2:], mode="bilinear", align_corners=False)
        elif q_t.shape[2] < q_s.shape[2]:
            q_t = F.interpolate(q_t, size=q_s.shape[2:], mode="bilinear", align_corners=False)
        m_s = F.normalize(q_s.view(q_s.size(0), -1))
        m_t = F.normalize(q_t.view(q_t.size(0), -1))
    else:
        s_H, t_H = f_s.shape[2], f_t.shape[2]
        a, b = f_s, f_t
        if s_H > t_H:
            a = F.adaptive_avg_pool2d(f_s, (t_H, t_H))
        elif s_H < t_H:
            b = F.adaptive_avg_pool2d(f_t, (s_H, s_H))
        m_s, m_t = at(a, p), at(b, p)
    if form == "code":
        value = (m_s - m_t).pow(2).mean()
    else:
        value = 0.5 * (m_s - m_t).norm(dim=1).mean()
    loss = beta * value
    params = {"beta": beta, "p": p, "resize": resize}
    if form != "code":
        params["form"] = form
    emit(name, "at_loss", params, {"student": f_s, "teacher": f_t},
         {"loss": loss.detach().reshape([])}, loss=loss, seed=seed)


def main():
    for T in (1, 4, 20):
        kd(f"kd_k10_T{T}", 4, 10, T)
    kd("kd_k10_T4_pure", 3, 10, 4, kd_weight=1.0, ce_weight=0.0)
    kd("kd_k10_T4_soft_ce", 4, 10, 4, form="soft_ce")
    kd("kd_k1000_T1", 2, 1000, 1, quantise=True)
    kd("kd_k1000_T4", 2, 1000, 4, quantise=True)
    kd("kd_k1000_T20", 2, 1000, 20, quantise=True)

    at_map("at_map_p2_code", [2, 3, 5, 4], 2, "code")
    at_map("at_map_p2_paper", [2, 3, 5, 4], 2, "paper")
    at_map("at_map_p3_code", [2, 4, 3, 3], 3, "code")
    at_map("at_map_p2_max", [2, 4, 4, 3], 2, "max")

    at_loss("at_loss_equal", [2, 4, 6, 6], [2, 8, 6, 6], "none")
    at_loss("at_loss_equal_p4", [2, 3, 5, 5], [2, 6, 5, 5], "none", p=4)
    at_loss("at_loss_equal_paper", [2, 4, 6, 6], [2, 8, 6, 6], "none", beta=1.0, form="paper")
    at_loss("at_loss_avgpool_student_larger", [2, 3, 8, 8], [2, 5, 4, 4], "avgpool")
    at_loss("at_loss_avgpool_teacher_larger", [2, 3, 4, 4], [2, 5, 8, 8], "avgpool")
    at_loss("at_loss_avgpool_student_larger_7to3", [2, 3, 7, 7], [2, 4, 3, 3], "avgpool")
    at_loss("at_loss_bilinear_student_smaller", [2, 3, 4, 4], [2, 5, 7, 7], "bilinear")
    at_loss("at_loss_bilinear_student_larger", [2, 3, 8, 8], [2, 5, 4, 4], "bilinear")


if __name__ == "__main__":
    main()
