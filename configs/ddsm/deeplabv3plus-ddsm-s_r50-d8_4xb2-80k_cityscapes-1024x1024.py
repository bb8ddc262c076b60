# DDSM paper, Table 1 (right), row "Deeplabv3++S": one DDSM from the ASPP
# output to the stride-4 feature, N = N_c = 9.
# The S+C config with the channel branch off (spatial sampling only).
_base_ = './deeplabv3plus-ddsm-sc_r50-d8_4xb2-80k_cityscapes-1024x1024.py'
model = dict(decode_head=dict(fusion_cfg=dict(channel_cfg=None)))
