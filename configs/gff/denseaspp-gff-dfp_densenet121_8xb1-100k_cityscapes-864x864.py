# GFF (Li et al., AAAI 2020), Table 4, row "DenseASPP+GFF+DFP DenseNet121".
# DenseASPP as the context module of GFFNet; levels: the 4 dense blocks.
_base_ = ['./denseaspp_densenet121_8xb1-100k_cityscapes-864x864.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    decode_head=dict(
        _delete_=True,
        type='GFFHead',
        in_channels=[256, 512, 1024, 1024, 512],
        in_index=[0, 1, 2, 3, 4],
        level_index=[0, 1, 2, 3],
        channels=256,
        context='denseaspp',
        dilations=(3, 6, 12, 18, 24),
        denseaspp_channels=(128, 64),
        context_channels=256,
        fusion_cfg=dict(out_channels=256, fusion='gff'),
        dfp=True,
        dfp_block='dense',
        dfp_channels=128,
        num_bottleneck_convs=0,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            avg_non_ignore=True)))
