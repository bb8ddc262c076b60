# GFF (Li et al., AAAI 2020), Table 8, row "GFFNet(ours)".
# The authors' DeepLabV3+ / WiderResNet-38 GFFNet (DecoupleSegNets
# network/gffnets.py) as GFFOfficialHead: levels mod2 (1/2) and mod5 + the
# ASPP output, 128-wide gates and levels, sequential fusion, DFP of dense
# blocks (dilation 3/6/9) at 1/2 resolution, reduced ASPP output in the
# concat, align_corners=True.
# Their released checkpoint converts with
#   tools/model_converters/gff_wrn38_decouple.py
# Test-set submission (multi-scale 0.75..1.75, no annotations loaded):
#   python tools/test.py THIS_CONFIG CKPT --tta
_base_ = [
    '../_base_/models/deeplabv3plus_wrn38-a2.py',
    '../_base_/datasets/cityscapes_864x864_gff.py',
    '../_base_/datasets/cityscapes_test-server.py',
    '../_base_/default_runtime.py', '../_base_/schedules/gff_schedule_100k.py'
]
norm_cfg = dict(type='SyncBN', requires_grad=True)
crop_size = (864, 864)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        out_indices=(1, 4, 6),
        # Mapillary-pretrained WRN-38 as Gated-SCNN (Table 8 shares its
        # setting)
        init_cfg=dict(checkpoint='pretrain/wrn38_mapillary.pth')),
    decode_head=dict(
        # the authors' layout (GFFOfficialHead / GFFOfficialNeck docstrings)
        _delete_=True,
        type='GFFOfficialHead',
        in_channels=[128, 1024, 4096],
        in_index=[0, 1, 2],
        channels=256,
        context_channels=256,
        dilations=(1, 12, 24, 36),
        channels_fused=128,
        dfp_dilations=(3, 6, 9),
        dropout_ratio=0.0,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=True,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(576, 576)))
test_dataloader = {{_base_.test_server_dataloader}}
test_evaluator = {{_base_.test_server_evaluator}}
tta_pipeline = {{_base_.test_server_tta_pipeline}}
