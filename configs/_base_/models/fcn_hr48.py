# HRNetV2-W48 + FCN head (mmseg's fcn_hr18 model at width 48, ImageNet
# weights), trained with the HRNet code's cross-entropy (HRNetCrossEntropyLoss:
# PyTorch's weighted mean over the labelled pixels; configs add the
# dataset's class weights and OHEM where HRNet's recipe has them): the
# HRNetV2 baseline of the GSTO experiments.
_base_ = ['./fcn_hr18.py']
model = dict(
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)))),
    decode_head=dict(
        in_channels=[48, 96, 192, 384],
        channels=sum([48, 96, 192, 384]),
        loss_decode=dict(_delete_=True, type='HRNetCrossEntropyLoss')))
