# GFF (Li et al., AAAI 2020), Tables 1-3, row "PSPNet + GFF".
# GFF without the Dense Feature Pyramid.
_base_ = ['./gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py']
model = dict(decode_head=dict(dfp=False))
