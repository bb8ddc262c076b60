# WiderResNet-38 A2 at output stride 8 (the backbone of the Gated-SCNN and
# GFF authors' Cityscapes models) with mmseg's DeepLabV3+ head as they use
# it: ASPP on mod7 (4096 channels), decoder feature mod2 (128 channels,
# stride 2), no dropout, align_corners=True; ImageNet WRN-38 A2 weights in
# the inplace_abn layout (keys match after stripping `module.`). Gated-SCNN
# Table 1 "DeepLabV3+"; the GSCNN and GFFNet WRN-38 configs swap the head.
_base_ = ['./encoder_decoder.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        type='WiderResNet',
        structure=(3, 3, 6, 3, 1, 1),
        output_stride=8,
        out_indices=(1, 6),  # mod2 (c1 of the decoder), mod7
        norm_cfg=norm_cfg,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrain/wider_resnet38.pth.tar',
            prefix='module.')),
    decode_head=dict(
        type='DepthwiseSeparableASPPHead',
        in_channels=4096,
        in_index=1,
        channels=256,
        dilations=(1, 12, 24, 36),
        c1_in_channels=128,
        c1_channels=48,
        dropout_ratio=0.0,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)))
