# GFFNet (Li et al., AAAI 2020, Fig. 3): dilated ResNet-50 (output stride 8),
# PPM context, Gated Fully Fusion of the four stages (Eq. 5), two 3x3 convs
# per level, Dense Feature Pyramid (Eq. 6), FCN aux head on stage 3 (0.4):
# PSPNet with its head replaced (GFFHead names its PPM as PSPHead does, so
# PSPNet checkpoints load into it).
_base_ = ['./pspnet_r50-d8.py']
model = dict(
    # PSPHead's arguments all carry over (PPM scales, dropout, classes, norm,
    # loss); GFFHead adds the fusion, refinement and DFP ones
    decode_head=dict(
        type='GFFHead',
        in_channels=[256, 512, 1024, 2048],
        in_index=[0, 1, 2, 3],
        channels=256,
        context='ppm',
        context_channels=512,
        pool_scales=(1, 2, 3, 6),
        fusion_cfg=dict(out_channels=256, fusion='gff'),
        num_refine_convs=2,
        dfp=True,
        # DFP block of the authors' code (BN-ReLU-1x1, BN-ReLU-3x3, 128 wide):
        # +1.08M parameters on R101 (Table 3 prints +0.8M)
        dfp_block='dense',
        dfp_channels=128,
        # "all feature maps are concatenated for final semantic segmentation"
        num_bottleneck_convs=0))
