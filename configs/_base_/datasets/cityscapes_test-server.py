# Cityscapes test split for the benchmark server: images only (resized to
# 2048x1024, no annotations: the test split has no labels), predictions
# written as labelIds PNGs to work_dirs/format_results (mmseg's
# CityscapesMetric with format_only=True, which needs keep_results=True and
# cityscapesscripts). Defines no dataloader itself, so it combines with any
# Cityscapes base; a config takes the parts it needs (both replace the
# inherited dicts whole, `_delete_`, so no val annotation path survives):
#   _base_ = [..., '../_base_/datasets/cityscapes_test-server.py']
#   test_dataloader = {{_base_.test_server_dataloader}}
#   test_evaluator = {{_base_.test_server_evaluator}}
# and, for `tools/test.py ... --tta`, a TTA pipeline without LoadAnnotations.
test_server_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CityscapesDataset',
        data_root='data/cityscapes/',
        data_prefix=dict(img_path='leftImg8bit/test'),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
            dict(type='PackSegInputs')
        ]))
test_server_evaluator = dict(
    _delete_=True,
    type='CityscapesMetric',
    format_only=True,
    keep_results=True,
    output_dir='work_dirs/format_results')
