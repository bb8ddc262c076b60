# Gated-SCNN schedule, the authors' training defaults (nv-tlabs/GSCNN
# train.py, optimizer.py): SGD (no Nesterov), lr 0.01, momentum 0.9, weight
# decay 1e-4 on every parameter, poly power 1.0 to 0, 175 epochs of the 2975
# Cityscapes train images at 1 image per GPU on 8 GPUs (drop_last: 371
# iterations per epoch, 64925 in all). Theirs steps the poly once per epoch;
# here it decays per iteration over the same length. Validation every epoch,
# keeping the best mIoU checkpoint (their best_epoch_*.pth).
_base_ = ['./sgd_poly_80k.py']
iters_per_epoch = 371
iters = 175 * iters_per_epoch  # 64925
optimizer = dict(weight_decay=0.0001)
optim_wrapper = dict(optimizer=optimizer)
param_scheduler = [
    dict(_base_.param_scheduler[0], eta_min=0.0, power=1.0, end=iters)
]
train_cfg = dict(max_iters=iters, val_interval=iters_per_epoch)
default_hooks = dict(
    checkpoint=dict(
        interval=iters_per_epoch, max_keep_ckpts=1, save_best='mIoU'))
