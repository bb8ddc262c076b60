# CPU check on real data: the single-scale CamVid model with hierarchical
# multi-scale attention, trained on scales 0.5/1.0, evaluated on 0.5/1/2.
_base_ = ['./deeplabv3plus-single_r18-d8_1xb4-200iter_camvid-180x240.py']
model = dict(
    type='HMSAEncoderDecoder',
    train_scales=(0.5, 1.0),
    test_scales=(0.5, 1.0, 2.0),
    decode_head=dict(
        type='HMSASepASPPHead', scale_attn=dict(channels=64, num_convs=2)))
