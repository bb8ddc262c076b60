# Table 3 "Baseline avgpool": the single-scale model (test the checkpoint of
# deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-1024x1024.py), evaluated
# by mmseg's SegTTAModel: the class probabilities of scales 0.5, 1.0 and 2.0
# of the test image (long edge 2177), each resized back, averaged.
# Evaluation only:
#   python tools/test.py THIS_CONFIG SINGLE_SCALE_CHECKPOINT
_base_ = ['./deeplabv3plus-single_r50-d8_8xb2-200e_mapillary-v1-1024x1024.py']
model = dict(_delete_=True, type='SegTTAModel', module={{_base_.model}})
test_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(2177, 2177), keep_ratio=True),
        dict(
            type='TestTimeAug',
            transforms=[[
                dict(type='Resize', scale_factor=r, keep_ratio=True)
                for r in (0.5, 1.0, 2.0)
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]])
    ]))
val_dataloader = test_dataloader
