# CPU check on real data (CamVid, half resolution, 100 iterations of
# batch 2, no pretrained weights): compare with
# pspnet_r18-d8_1xb2-100iter_camvid-180x240.py.
#   python tools/train.py \
#       configs/gff/gffnet_r18-d8_1xb2-100iter_camvid-180x240.py
_base_ = ['./pspnet_r18-d8_1xb2-100iter_camvid-180x240.py']
# PSPHead becomes GFFHead (its PPM settings, loss and norm carry over)
model = dict(
    decode_head=dict(
        type='GFFHead',
        in_channels=[64, 128, 256, 512],
        in_index=[0, 1, 2, 3],
        context='ppm',
        context_channels=128,
        fusion_cfg=dict(out_channels=128, fusion='gff'),
        num_refine_convs=2,
        dfp=True,
        dfp_block='dense',
        dfp_channels=128,
        num_bottleneck_convs=0))
