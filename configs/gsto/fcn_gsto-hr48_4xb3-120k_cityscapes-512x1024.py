# GSTO-HRNet-W48 + FCN head: "Our approach" of GSTO Table 1 (train set;
# Cityscapes val 82.1 single scale in the authors' README). Same recipe as the
# HRNetV2 baseline beside it; the backbone gates every fuse path and the
# stage transitions in the authors' layout (GSTOOfficialHRNet, which their
# converted checkpoints load into; type='GSTOHRNet' for Eq. 1-4 as written);
# the stage-2/3 predictions of the supervised gates are trained with weights
# 0.3 / 0.5 through GSTOAuxHead.
_base_ = [
    '../_base_/models/fcn_gsto-hr48.py',
    '../_base_/datasets/cityscapes_iiou.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=3)
