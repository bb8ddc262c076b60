# PSPNet-R101-D8 with GSTO-PPM: every pooling branch gated before pooling and
# before up-sampling (GSTOPSPHead); everything else as the baseline beside it.
_base_ = './pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py'
model = dict(decode_head=dict(type='GSTOPSPHead'))
