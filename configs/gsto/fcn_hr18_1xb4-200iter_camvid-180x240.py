# CPU check on real data: HRNetV2-W18 + FCN, no pretrained weights, CamVid
# (SegNet layout) at half resolution, 200 iterations; compare with
# fcn_gsto-hr18_1xb4-200iter_camvid-180x240.py (same everything else).
#   python tools/train.py configs/gsto/fcn_hr18_1xb4-200iter_camvid-180x240.py
_base_ = [
    '../_base_/models/fcn_hr18.py', '../_base_/datasets/camvid_180x240.py',
    '../_base_/schedules/schedule_cpu-200iter.py',
    '../_base_/default_runtime.py'
]
crop_size = (180, 240)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(num_classes=11, norm_cfg=norm_cfg))
