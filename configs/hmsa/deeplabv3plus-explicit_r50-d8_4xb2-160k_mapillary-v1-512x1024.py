# Table 3 "Explicit" (Chen et al., Attention to Scale): one attention head on
# the concatenated features of scales 0.5, 1.0, 2.0 predicts a softmax over
# them; trained and evaluated on all three.
_base_ = ['./deeplabv3plus-single_r50-d8_4xb2-160k_mapillary-v1-512x1024.py']
model = dict(
    mode='explicit',
    train_scales=(0.5, 1.0, 2.0),
    test_scales=(0.5, 1.0, 2.0),
    scale_loss_weight=0.05,
    decode_head=dict(
        type='MscaleSepASPPHead',
        scale_attn=dict(channels=256, num_convs=2, num_scales=3)))
