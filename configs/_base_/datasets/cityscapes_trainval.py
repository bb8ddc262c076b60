# Cityscapes, fine annotations, for a test-server submission: trained on
# train + val (mmseg's 512x1024 pipeline), validated on val as
# cityscapes_iiou.py, tested on the test split; CityscapesIIoUMetric writes
# the labelIds PNGs for the server to work_dirs/format_results (needs
# cityscapesscripts). Multi-scale + flip testing: tools/test.py ... --tta.
_base_ = ['./cityscapes_iiou.py']
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
test_dataloader = dict(
    dataset=dict(
        data_prefix=dict(
            img_path='leftImg8bit/test', seg_map_path='gtFine/test')))
test_evaluator = [
    dict(
        type='CityscapesIIoUMetric',
        format_only=True,
        keep_results=True,
        output_dir='work_dirs/format_results')
]
