"""The k3s stand-in records `ctr images import` (what playbooks/agent_image.yml runs on registry-less
nodes) and lists the imported names the way `ctr images ls -q` does."""

import io
import json
import os
import tarfile
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader

from helpers import REPO


def standin(tmp_path, monkeypatch):
    path = os.path.join(REPO, 'tests', 'fixtures', 'artifacts', 'k3s', 'k3s')
    loader = SourceFileLoader('k3s_standin', path)
    module = module_from_spec(spec_from_loader('k3s_standin', loader))
    loader.exec_module(module)
    monkeypatch.setattr(module, 'IMAGES', str(tmp_path / 'images.json'))
    monkeypatch.setattr(module, 'LOG', str(tmp_path / 'standin.log'))
    return module


def archive(tmp_path, tags):
    """A docker-archive as `podman save --format docker-archive` writes it (manifest.json is what counts)."""
    path = tmp_path / 'image.tar'
    data = json.dumps([{'Config': 'c.json', 'RepoTags': tags, 'Layers': []}]).encode()
    with tarfile.open(path, 'w') as tar:
        info = tarfile.TarInfo('manifest.json')
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return str(path)


def test_ctr_images_import_is_recorded_and_listed_standin(tmp_path, monkeypatch, capsys):
    k3s = standin(tmp_path, monkeypatch)
    assert k3s.ctr(['images', 'ls', '--quiet']) == 0
    assert capsys.readouterr().out.strip() == ''
    tar = archive(tmp_path, ['localhost/ai-platform/agent-runtime:1.0.0'])
    assert k3s.ctr(['images', 'import', tar]) == 0
    capsys.readouterr()
    assert k3s.ctr(['images', 'ls', '--quiet']) == 0
    assert capsys.readouterr().out.split() == ['localhost/ai-platform/agent-runtime:1.0.0']
    [entry] = [json.loads(line) for line in (tmp_path / 'standin.log').read_text().splitlines()]
    assert entry['event'] == 'ctr-images-import' and entry['images'] == ['localhost/ai-platform/agent-runtime:1.0.0']


def test_ctr_commands_it_does_not_serve_fail_standin(tmp_path, monkeypatch):
    assert standin(tmp_path, monkeypatch).ctr(['containers', 'ls']) == 1
