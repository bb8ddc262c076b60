# CPU demo of GFF (Gated Fully Fusion + Dense Feature Pyramid): the slim
# ResNet-18 of upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py with GFFHead
# (PPM context, GFFNeck fusion of the 4 stages, DFP) on SyntheticSegDataset:
#   python tools/train.py \
#       configs/demo/gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py
_base_ = ['./upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py']
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    decode_head=dict(
        _delete_=True,
        type='GFFHead',  # builds a GFFNeck (fusion='gff') inside
        in_channels=[16, 32, 64, 128],
        in_index=[0, 1, 2, 3],
        channels=64,
        context='ppm',
        context_channels=64,
        pool_scales=(1, 2, 3, 6),
        fusion_cfg=dict(out_channels=64, fusion='gff'),
        num_refine_convs=2,
        dfp=True,
        dfp_block='dense',
        dfp_channels=32,
        num_bottleneck_convs=0,
        dropout_ratio=0.1,
        num_classes=6,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)))
