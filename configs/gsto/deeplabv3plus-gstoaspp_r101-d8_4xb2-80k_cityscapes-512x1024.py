# DeepLabV3+-R101-D8 with GSTO-ASPP: the image-pooling branch gated before
# pooling and before up-sampling, the atrous branches gated on their input
# (GSTOSepASPPHead); everything else as the baseline.
_base_ = './deeplabv3plus_r101-d8_4xb2-80k_cityscapes-512x1024.py'
model = dict(decode_head=dict(type='GSTOSepASPPHead'))
