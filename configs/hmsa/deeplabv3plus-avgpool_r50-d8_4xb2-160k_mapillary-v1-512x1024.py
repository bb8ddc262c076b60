# Table 3 "Baseline avgpool": the single-scale model, evaluated by averaging
# the class probabilities over scales 0.5, 1.0, 2.0.
_base_ = ['./deeplabv3plus-single_r50-d8_4xb2-160k_mapillary-v1-512x1024.py']
model = dict(mode='avgpool', test_scales=(0.5, 1.0, 2.0))
