# HRNetV2-W48 + FCN learned on train+val: the "HRNetV2" row of GSTO Table 1,
# "Model learned on the train+valid set". Tested on the test set with
# multi-scale (0.5-1.75) + flip (``tools/test.py ... --tta``); the evaluator
# writes labelIds PNGs for the server (needs cityscapesscripts).
_base_ = [
    '../_base_/models/fcn_hr48.py',
    '../_base_/datasets/cityscapes_trainval.py',
    '../_base_/schedules/schedule_120k.py', '../_base_/default_runtime.py'
]
crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=3)
