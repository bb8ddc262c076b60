# DDSM paper, Table 1 (left), row "UPerNet+C": two DDSMs in the second and
# third stages of UPerNet (forming x~_2 and x~_3), N = N_c = 9.
# The S+C config with the spatial branch off (channel sampling only).
_base_ = './upernet-ddsm-sc_r50_4xb2-80k_cityscapes-1024x1024.py'
model = dict(decode_head=dict(fusion_cfg=dict(spatial_cfg=None)))
