"""Golden fixtures (format v1) for the parameter-free related distillation losses, by PyTorch in float64.

Run from the package root:  .venv-torch/bin/python Fixtures/generators/related_methods.py
Writes Fixtures/losses/{dkd,rkd,sp,pkt}_*.json. Each loss is the reference code transcribed
(read at the commits named below); the student gradient is torch autograd of it:
  dkd_loss  mdistiller mdistiller/distillers/DKD.py::dkd_loss (@ a08d46f10d61), without the
            warm-up factor min(epoch/WARMUP, 1) and without the CE term of forward_train
            loss = alpha·TCKD + beta·NCKD; expected also holds the unweighted parts tckd, nckd
  rkd_loss  RepDistiller distiller_zoo/RKD.py::RKDLoss (@ b84f547c5db6; = mdistiller rkd_loss)
            loss = w_d·distance + w_a·angle; expected also holds the unweighted parts
  sp_loss   RepDistiller distiller_zoo/SP.py::Similarity.similarity_loss (one tap pair, no β)
  pkt_loss  RepDistiller distiller_zoo/PKT.py::PKT.cosine_similarity_loss (eps 1e-7, no β)
Each fixture gets its own seed (crc32 of its name).
"""

import torch
import torch.nn.functional as F

from fixture_io import generator_for, grads, randn, seed_for, write_fixture


def tolerance_for(expected):
    """rtol 1e-4; atol 1e-6 of the largest gradient element.

    Both sides compute in double from the same float32 inputs and differ by the float32
    rounding of the result (~6e-8 relative), so a looser atol would only hide errors
    (PKT values and gradients are ~1e-3, far under the 1e-5 floor of losses.py). The scale is
    the gradient's, not the loss value's (DKD values reach ~200 with gradients ~1e-2); the
    scalar values are held by rtol.
    """
    big = max(float(v.detach().abs().max()) for k, v in expected.items() if k.startswith("grad."))
    return {"rtol": 1e-4, "atol": 1e-6 * big}


def emit(name, op, params, inputs, outputs, loss, seed, integer_inputs=()):
    expected = {k: v.detach().reshape([]) for k, v in outputs.items()}
    expected.update(grads(inputs, loss=loss))
    size = write_fixture(f"losses/{name}.json", name, op, params, inputs, expected,
                         tolerance=tolerance_for(expected), seed=seed, generator=__file__,
                         integer_inputs=integer_inputs)
    print(f"{name}: {size} bytes, loss {float(loss.detach()):.6g}")


# MARK: DKD — mdistiller mdistiller/distillers/DKD.py, transcribed (size_average=False == reduction="sum")

def _get_gt_mask(logits, target):
    target = target.reshape(-1)
    return torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1).bool()


def _get_other_mask(logits, target):
    target = target.reshape(-1)
    return torch.ones_like(logits).scatter_(1, target.unsqueeze(1), 0).bool()


def cat_mask(t, mask1, mask2):
    t1 = (t * mask1).sum(dim=1, keepdims=True)
    t2 = (t * mask2).sum(1, keepdims=True)
    return torch.cat([t1, t2], dim=1)


def dkd_parts(logits_student, logits_teacher, target, temperature):
    """dkd_loss split into its two terms (each ×T²/N); dkd_loss = alpha·tckd + beta·nckd."""
    gt_mask = _get_gt_mask(logits_student, target)
    other_mask = _get_other_mask(logits_student, target)
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    pred_student = cat_mask(pred_student, gt_mask, other_mask)
    pred_teacher = cat_mask(pred_teacher, gt_mask, other_mask)
    log_pred_student = torch.log(pred_student)
    tckd_loss = F.kl_div(log_pred_student, pred_teacher, reduction="sum") * (temperature ** 2) / target.shape[0]
    pred_teacher_part2 = F.softmax(logits_teacher / temperature - 1000.0 * gt_mask, dim=1)
    log_pred_student_part2 = F.log_softmax(logits_student / temperature - 1000.0 * gt_mask, dim=1)
    nckd_loss = F.kl_div(log_pred_student_part2, pred_teacher_part2, reduction="sum") * (temperature ** 2) / target.shape[0]
    return tckd_loss, nckd_loss


def dkd(name, n, k, temperature=4.0, alpha=1.0, beta=8.0, teacher_scale=3.0):
    seed = seed_for(name)
    g = generator_for(seed)
    s = randn([n, k], g, 2.0, requires_grad=True)
    t = randn([n, k], g, teacher_scale)
    y = torch.randint(0, k, (n,), generator=g)
    tckd, nckd = dkd_parts(s, t, y, temperature)
    loss = alpha * tckd + beta * nckd
    emit(name, "dkd_loss", {"alpha": alpha, "beta": beta, "temperature": temperature},
         {"student_logits": s, "teacher_logits": t, "labels": y.to(torch.float64)},
         {"loss": loss, "tckd": tckd, "nckd": nckd}, loss, seed, integer_inputs=("labels",))


# MARK: RKD — RepDistiller distiller_zoo/RKD.py, transcribed

def pdist(e, squared=False, eps=1e-12):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)
    if not squared:
        res = res.sqrt()
    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_parts(f_s, f_t):
    """RKDLoss.forward split into (loss_d, loss_a); RKDLoss = w_d·loss_d + w_a·loss_a."""
    student = f_s.view(f_s.shape[0], -1)
    teacher = f_t.view(f_t.shape[0], -1)
    with torch.no_grad():
        t_d = pdist(teacher, squared=False)
        mean_td = t_d[t_d > 0].mean()
        t_d = t_d / mean_td
    d = pdist(student, squared=False)
    mean_d = d[d > 0].mean()
    d = d / mean_d
    loss_d = F.smooth_l1_loss(d, t_d)
    with torch.no_grad():
        td = (teacher.unsqueeze(0) - teacher.unsqueeze(1))
        norm_td = F.normalize(td, p=2, dim=2)
        t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)
    sd = (student.unsqueeze(0) - student.unsqueeze(1))
    norm_sd = F.normalize(sd, p=2, dim=2)
    s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)
    loss_a = F.smooth_l1_loss(s_angle, t_angle)
    # How many residuals lie on the linear side of the Huber loss (|x| >= 1): both regimes should appear.
    linear = int(((d - t_d).abs() >= 1).sum()) + int(((s_angle - t_angle).abs() >= 1).sum())
    return loss_d, loss_a, linear


def rkd(name, s_shape, t_shape, w_d=25.0, w_a=50.0):
    seed = seed_for(name)
    g = generator_for(seed)
    f_s = randn(s_shape, g, requires_grad=True)
    f_t = randn(t_shape, g, 2.0)
    loss_d, loss_a, linear = rkd_parts(f_s, f_t)
    loss = w_d * loss_d + w_a * loss_a
    print(f"  {name}: {linear} Huber residuals in the linear regime")
    emit(name, "rkd_loss", {"distance_weight": w_d, "angle_weight": w_a},
         {"student": f_s, "teacher": f_t}, {"loss": loss, "distance": loss_d, "angle": loss_a}, loss, seed)


# MARK: SP — RepDistiller distiller_zoo/SP.py, transcribed

def similarity_loss(f_s, f_t):
    bsz = f_s.shape[0]
    f_s = f_s.view(bsz, -1)
    f_t = f_t.view(bsz, -1)
    G_s = torch.mm(f_s, torch.t(f_s))
    G_s = torch.nn.functional.normalize(G_s)
    G_t = torch.mm(f_t, torch.t(f_t))
    G_t = torch.nn.functional.normalize(G_t)
    G_diff = G_t - G_s
    return (G_diff * G_diff).view(-1, 1).sum(0) / (bsz * bsz)


def sp(name, s_shape, t_shape, relu=False):
    seed = seed_for(name)
    g = generator_for(seed)
    f_s = randn(s_shape, g)
    f_t = randn(t_shape, g)
    if relu:  # post-ReLU taps, as RepDistiller's feat[-2] of a CIFAR ResNet (non-negative Gram matrix)
        f_s, f_t = f_s.clamp(min=0), f_t.clamp(min=0)
    f_s.requires_grad_(True)
    loss = similarity_loss(f_s, f_t).reshape([])
    emit(name, "sp_loss", {}, {"student": f_s, "teacher": f_t}, {"loss": loss}, loss, seed)


# MARK: PKT — RepDistiller distiller_zoo/PKT.py, transcribed

def cosine_similarity_loss(output_net, target_net, eps=0.0000001):
    output_net_norm = torch.sqrt(torch.sum(output_net ** 2, dim=1, keepdim=True))
    output_net = output_net / (output_net_norm + eps)
    output_net[output_net != output_net] = 0
    target_net_norm = torch.sqrt(torch.sum(target_net ** 2, dim=1, keepdim=True))
    target_net = target_net / (target_net_norm + eps)
    target_net[target_net != target_net] = 0
    model_similarity = torch.mm(output_net, output_net.transpose(0, 1))
    target_similarity = torch.mm(target_net, target_net.transpose(0, 1))
    model_similarity = (model_similarity + 1.0) / 2.0
    target_similarity = (target_similarity + 1.0) / 2.0
    model_similarity = model_similarity / torch.sum(model_similarity, dim=1, keepdim=True)
    target_similarity = target_similarity / torch.sum(target_similarity, dim=1, keepdim=True)
    return torch.mean(target_similarity * torch.log((target_similarity + eps) / (model_similarity + eps)))


def pkt(name, s_shape, t_shape, relu=False):
    seed = seed_for(name)
    g = generator_for(seed)
    f_s = randn(s_shape, g)
    f_t = randn(t_shape, g, 2.0)
    if relu:  # pooled post-ReLU features (RepDistiller feat[-1]): all cosines ≥ 0
        f_s, f_t = f_s.clamp(min=0), f_t.clamp(min=0)
    f_s.requires_grad_(True)
    loss = cosine_similarity_loss(f_s, f_t)
    emit(name, "pkt_loss", {"eps": 1e-7}, {"student": f_s, "teacher": f_t}, {"loss": loss}, loss, seed)


def main():
    dkd("dkd_k10_T4", 6, 10)                                      # mdistiller cfg defaults (CIFAR-100)
    dkd("dkd_k10_T1_a05_b2", 6, 10, temperature=1.0, alpha=0.5, beta=2.0)  # ImageNet-style T = 1
    dkd("dkd_k100_T4_b6_confident", 4, 100, beta=6.0, teacher_scale=8.0)    # peaked teacher, 100 classes

    rkd("rkd_d8", [6, 8], [6, 8])
    rkd("rkd_ds8_dt16", [6, 8], [6, 16])
    rkd("rkd_ds3_dt12_n7", [7, 3], [7, 12])                       # low student width: large angle residuals

    sp("sp_c4_h4", [6, 4, 4, 4], [6, 4, 4, 4])
    sp("sp_c4h4_vs_c8h2", [6, 4, 4, 4], [6, 8, 2, 2])              # different teacher width and size
    sp("sp_relu_c4h4_vs_c6h3", [6, 4, 4, 4], [6, 6, 3, 3], relu=True)

    pkt("pkt_d8", [6, 8], [6, 8])
    pkt("pkt_ds8_dt16", [6, 8], [6, 16])
    pkt("pkt_relu_ds8_dt12", [6, 8], [6, 12], relu=True)


if __name__ == "__main__":
    main()
