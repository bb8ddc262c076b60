# Table 3 "Hierarchical (Ours)": trained on scales 0.5 and 1.0 with the
# relative attention of the 0.5 scale, evaluated with 0.5, 1.0, 2.0.
_base_ = ['./deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-1024x1024.py']
model = dict(
    type='HMSAEncoderDecoder',
    train_scales=(0.5, 1.0),
    test_scales=(0.5, 1.0, 2.0),
    # no single-scale terms: train_mapillary.yml sets no
    # supervised_mscale_loss_wt (config.py default 0)
    scale_loss_weight=0.0,
    decode_head=dict(
        type='HMSASepASPPHead', scale_attn=dict(channels=256, num_convs=2)))
