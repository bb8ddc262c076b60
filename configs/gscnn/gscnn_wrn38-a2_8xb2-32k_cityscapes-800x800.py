# Gated-SCNN, Table 1 row "Ours (GSCNN)" (also Table 2 "Ours" and Table 3,
# Wide-ResNet, "+ Gradients"): the authors' released network layout
# (GSCNNOfficialHead): WiderResNet-38 A2 at output stride 8; shape stream
# from mod1 (64 ch, full resolution) gated by mod3, mod4 and mod7 with their
# GCL gates; Canny gradients of the normalised input (as their code); plain
# atrous ASPP on mod7 with the boundary branch; 1x1 ASPP projection and 1x1
# reduction of mod2 (no norm); two 3x3 ConvBNReLU; inner resizes
# align_corners=True, the final upsampling align_corners=False. Their
# checkpoint converts with
#   tools/model_converters/gscnn_official.py
_base_ = [
    '../_base_/datasets/cityscapes_800x800_gscnn.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gscnn_schedule_32k.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
crop_size = (800, 800)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
model = dict(
    type='GSCNNEncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='WiderResNet',
        structure=(3, 3, 6, 3, 1, 1),
        output_stride=8,
        out_indices=(0, 1, 2, 3, 6),  # mod1, mod2, mod3, mod4, mod7
        norm_cfg=norm_cfg,
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/wider_resnet38.pth.tar',
            prefix='module.')),
    decode_head=dict(
        type='GSCNNOfficialHead',
        in_channels=4096,
        in_index=4,
        channels=256,
        dilations=(1, 12, 24, 36),
        c1_in_channels=128,
        c1_channels=48,
        c1_in_index=1,
        shape_in_index=0,
        shape_in_channels=64,
        gate_in_index=(2, 3, 4),
        gate_in_channels=(256, 512, 4096),
        shape_channels=(64, 32, 16, 8),
        use_gradients=True,
        dropout_ratio=0.0,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
            avg_non_ignore=True),
        loss_edge=dict(type='BoundaryBCELoss', loss_weight=20.0),
        loss_dual_boundary=dict(type='DualTaskBoundaryLoss', loss_weight=1.0),
        loss_dual_consistency=dict(
            type='DualTaskConsistencyLoss', threshold=0.8, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
