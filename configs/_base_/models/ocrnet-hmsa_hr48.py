# Hierarchical multi-scale attention on HRNetV2-W48 + OCR (MscaleOCR):
# mmseg's cascade [FCNHead, OCRHead] with an attention on the OCR features,
# trained on scales 0.5/1.0 with RMI as the main loss, evaluated with 0.5,
# 1.0, 2.0; 19 Cityscapes classes, 1024x1024 crops. As the authors' code (and
# so the checkpoints that tools/model_converters/hmsa_mscale_ocr.py
# converts): HRNet fuse layers that resize once (ResizeOnceHRNet) and scales
# combined at each scale's input size (upsample_to_input=True); Dropout2d(0.05)
# on the OCR features (training only).
_base_ = ['mmseg::_base_/models/ocrnet_hr18.py']
norm_cfg = dict(type='SyncBN', requires_grad=True)
hr_channels = [48, 96, 192, 384]
model = dict(
    type='HMSACascadeEncoderDecoder',
    num_stages=2,
    train_scales=(0.5, 1.0),
    test_scales=(0.5, 1.0, 2.0),
    upsample_to_input=True,
    # single-scale terms: the authors switch RMI off there (BCE only)
    scale_loss_weight=0.05,
    scale_loss=dict(type='RMILoss', with_rmi=False),
    data_preprocessor=dict(size=(1024, 1024)),
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(
        type='ResizeOnceHRNet',
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)))),
    decode_head=[
        # soft object regions; its joint (attention-combined) output is
        # supervised with weight 0.4 (the authors' OCR_ALPHA), BCE as theirs
        dict(
            type='FCNHead',
            in_channels=hr_channels,
            channels=sum(hr_channels),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            kernel_size=1,
            num_convs=1,
            concat_input=False,
            dropout_ratio=-1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(type='RMILoss', with_rmi=False, loss_weight=0.4)),
        dict(
            type='HMSAOCRHead',
            in_channels=hr_channels,
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=512,
            ocr_channels=256,
            # the authors' Dropout2d(0.05) after the OCR block's bottleneck
            ocr_dropout_ratio=0.05,
            dropout_ratio=-1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            scale_attn=dict(channels=256, num_convs=2),
            loss_decode=dict(type='RMILoss', loss_weight=1.0)),
    ],
    test_cfg=dict(mode='whole'))
