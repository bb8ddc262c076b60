# Table 3 "Hierarchical (Ours)", eval scales 0.25, 0.5, 1.0, 2.0: the same
# trained model as deeplabv3plus-hmsa_..., one more inference scale.
_base_ = ['./deeplabv3plus-hmsa_r50-d8_8xb2-200e_mapillary-v1-1024x1024.py']
model = dict(test_scales=(0.25, 0.5, 1.0, 2.0))
