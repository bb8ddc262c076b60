# Table 3 "Explicit" (Chen et al., Attention to Scale): one attention model on
# the concatenated decoder features of scales 0.5, 1.0, 2.0 predicts a softmax
# over them (ExplicitScaleFusion); trained and evaluated on all three.
_base_ = ['./deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-1024x1024.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
scales = (0.5, 1.0, 2.0)
model = dict(
    type='HMSAEncoderDecoder',
    train_scales=scales,
    test_scales=scales,
    scale_fusion=dict(
        type='ExplicitScaleFusion',
        in_channels=512 + 48,  # decoder concat: channels + c1_channels
        scales=scales,
        channels=256,
        num_convs=2,
        norm_cfg=norm_cfg),
    # no single-scale terms: train_mapillary.yml sets no
    # supervised_mscale_loss_wt (config.py default 0)
    scale_loss_weight=0.0,
    decode_head=dict(type='HMSASepASPPHead', scale_attn=None))
