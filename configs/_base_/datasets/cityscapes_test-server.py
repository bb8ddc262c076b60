# Cityscapes test split for the benchmark server: images only (resized to
# 2048x1024), predictions written as labelIds PNGs to
# work_dirs/format_results (CityscapesMetric, needs cityscapesscripts).
# Defines no dataloader itself, so it combines with any Cityscapes base;
# a config takes the parts it needs:
#   _base_ = [..., '../_base_/datasets/cityscapes_test-server.py']
#   test_dataloader = {{_base_.test_server_dataloader}}
#   test_evaluator = {{_base_.test_server_evaluator}}
test_server_dataloader = dict(
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
    type='CityscapesMetric',
    format_only=True,
    output_dir='work_dirs/format_results')
