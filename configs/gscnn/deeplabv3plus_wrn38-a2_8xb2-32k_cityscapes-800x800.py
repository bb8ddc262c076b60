# Gated-SCNN, Table 1 row "DeepLabV3+" (also Table 2 "DeepLabV3+" and
# Table 3, Wide-ResNet, "Baseline"): mmseg's DeepLabV3+ head on WiderResNet-38
# A2 (output stride 8): ASPP on mod7 (4096 ch), fine feature mod2 (128 ch,
# stride 2), align_corners=True as the authors' WRN networks.
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/cityscapes_800x800_gscnn.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gscnn_schedule_32k.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
crop_size = (800, 800)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='WiderResNet',
        structure=(3, 3, 6, 3, 1, 1),
        output_stride=8,
        out_indices=(1, 6),  # mod2 (c1 of the decoder), mod7
        norm_cfg=norm_cfg,
        # ImageNet WRN-38 A2 (inplace_abn layout, as the authors load it);
        # keys match ours after stripping `module.`
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/wider_resnet38.pth.tar',
            prefix='module.')),
    decode_head=dict(
        in_channels=4096,
        in_index=1,
        channels=256,
        c1_in_channels=128,
        c1_channels=48,
        dropout_ratio=0.0,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
            avg_non_ignore=True)),
    auxiliary_head=None)
