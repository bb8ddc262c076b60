# CPU check on real data (CamVid, half resolution, 100 iterations of
# batch 2, no pretrained weights): compare with
# gffnet_r18-d8_1xb2-100iter_camvid-180x240.py.
#   python tools/train.py \
#       configs/gff/pspnet_r18-d8_1xb2-100iter_camvid-180x240.py
_base_ = ['../demo/pspnet_r18-d8_1xb4-400iter_camvid-180x240.py']
iters = 100
train_dataloader = dict(batch_size=2)
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=iters))
