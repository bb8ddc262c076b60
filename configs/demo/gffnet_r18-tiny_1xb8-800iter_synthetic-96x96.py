# CPU demo of GFF (Gated Fully Fusion + Dense Feature Pyramid): the slim
# ResNet-18 of upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py with GFFHead
# (PPM context, GFFNeck fusion of the 4 stages, DFP) on SyntheticSegDataset:
#   python tools/train.py \
#       configs/demo/gffnet_r18-tiny_1xb8-800iter_synthetic-96x96.py
_base_ = ['./upernet_r18-tiny_1xb8-800iter_synthetic-96x96.py']
# UPerHead becomes GFFHead (PPM, channels, loss and norm carry over)
model = dict(
    decode_head=dict(
        type='GFFHead',  # builds a GFFNeck (fusion='gff') inside
        context='ppm',
        context_channels=64,
        fusion_cfg=dict(out_channels=64, fusion='gff'),
        num_refine_convs=2,
        dfp=True,
        dfp_block='dense',
        dfp_channels=32,
        num_bottleneck_convs=0))
