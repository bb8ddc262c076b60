# GFF (Li et al., AAAI 2020), Table 10, row "GFFNet(Ours) ResNet101".
# 512x512 crops, 150k iterations, batch 16 (8 GPUs x 2).
_base_ = [
    '../_base_/models/gffnet_r50-d8.py',
    'mmseg::_base_/datasets/coco-stuff10k.py', '../_base_/default_runtime.py',
    '../_base_/schedules/gff_schedule_150k.py'
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(depth=101),
    decode_head=dict(num_classes=171),
    auxiliary_head=dict(num_classes=171))
train_dataloader = dict(batch_size=2)
