# Cityscapes, fine annotations, for a test-server submission: trained on
# train + val (mmseg's 512x1024 pipeline), validated on val as
# cityscapes_iiou.py, tested on the test split; CityscapesIIoUMetric writes
# the labelIds PNGs for the server to work_dirs/format_results (needs
# cityscapesscripts). Multi-scale + flip testing: tools/test.py ... --tta.
# The test split has no labels: neither its test nor its TTA pipeline loads
# annotations (the dataloader is cityscapes_test-server.py's).
_base_ = ['./cityscapes_iiou.py', './cityscapes_test-server.py']
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='CityscapesDataset',
                data_root='data/cityscapes/',
                data_prefix=dict(
                    img_path=f'leftImg8bit/{split}',
                    seg_map_path=f'gtFine/{split}'),
                pipeline={{_base_.train_pipeline}})
            for split in ('train', 'val')
        ]))
test_dataloader = {{_base_.test_server_dataloader}}
test_evaluator = [
    dict(
        type='CityscapesIIoUMetric',
        format_only=True,
        keep_results=True,
        output_dir='work_dirs/format_results')
]
# mmseg's Cityscapes TTA (scales 0.5..1.75, flip) without LoadAnnotations
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(type='Resize', scale_factor=r, keep_ratio=True)
                for r in [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='PackSegInputs')]
        ])
]
