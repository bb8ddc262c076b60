# mmseg's EncoderDecoder with its ImageNet data preprocessor (RGB mean/std,
# image pad 0, label pad 255): the common part of the models whose backbone
# is not one of mmseg's model bases (WiderResNet, DenseNet, the slim demo
# ResNet). The child adds backbone and decode_head and sets
# `model.data_preprocessor.size` to its crop size.
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
