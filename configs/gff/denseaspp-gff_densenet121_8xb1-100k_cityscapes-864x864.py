# GFF (Li et al., AAAI 2020), Table 4, row "DenseASPP+GFF DenseNet121".
_base_ = ['./denseaspp-gff-dfp_densenet121_8xb1-100k_cityscapes-864x864.py']
model = dict(decode_head=dict(dfp=False))
