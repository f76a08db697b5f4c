# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of vault_bootstrap: the unseal keys and root token go into the encrypted file
before anything else happens, and an initialised Vault without that file is explained.

Vault shows its keys once, in the answer to sys/init. With init_file set, this plugin makes sure
the file can be written, leaves a `<init_file>.pending` note, runs the module, and writes the
answer (ansible-vault encrypted, atomically) as soon as the module returns it. The keys never
reach the task result. The note tells a later run what happened when the answer never arrived.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import socket
import tempfile

import yaml

from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.plugins.action import ActionBase

CONTROLLER_ARGS = ('init_file', 'init_passphrase')


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def write_private(path, data):
    """Write bytes to path atomically with mode 0600 (a temporary file in the same folder, renamed)."""
    handle, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.%s.' % os.path.basename(path))
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, data)
        os.fsync(handle)
    finally:
        os.close(handle)
    try:
        os.rename(tmp, path)
    except OSError:
        os.unlink(tmp)
        raise


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        init_file = args.pop('init_file', None)
        passphrase = args.pop('init_passphrase', None)
        if not init_file or not args.get('initialise', True):
            result.update(self._execute_module(module_args=args, task_vars=task_vars))
            return result
        init_file = os.path.abspath(os.path.expanduser(init_file))
        pending = init_file + '.pending'
        url = args.get('url') or args.get('address')

        problem = self._preflight(init_file, passphrase)
        if problem:
            result.update(failed=True, msg=problem)
            return result
        had_file = os.path.exists(init_file)
        earlier = None
        if os.path.exists(pending):
            with open(pending) as handle:
                earlier = handle.read().strip()
        elif not had_file and not self._task.check_mode:
            # Before Vault can hand out keys: a later run must be able to tell what happened.
            write_private(pending, to_bytes('%s: %s@%s started initialising Vault at %s; if this file is still here, '
                                            'the answer (unseal keys, root token) never reached %s\n'
                                            % (_now(), os.environ.get('USER', '?'), socket.gethostname(), url,
                                               init_file)))

        answer = self._execute_module(module_args=args, task_vars=task_vars)
        init = answer.pop('init', None)
        if init is not None:
            result.update(answer)
            result.update(self._store(init, init_file, passphrase, had_file))
            if not result.get('failed') and os.path.exists(pending):
                os.unlink(pending)
            return result
        result.update(answer)
        if answer.get('failed'):
            if not had_file and not self._task.check_mode:
                result['msg'] = ('%s. If Vault received the initialisation before this error, its answer is lost; '
                                 'the next run checks and says so (%s records the attempt).'
                                 % (to_native(answer.get('msg', '')).rstrip('.'), pending))
            return result
        if not had_file and not answer.get('initialized_now'):
            if earlier is None and os.path.exists(pending):
                os.unlink(pending)
            result.update(failed=True, msg=self._initialised_without_file(url, init_file, pending, earlier))
        return result

    @staticmethod
    def _preflight(init_file, passphrase):
        """Why the keys could not be stored, checked before Vault is asked for them; None when they can."""
        if not passphrase or len(passphrase) < 12:
            return 'init_passphrase must have 12 or more characters: it encrypts %s' % init_file
        folder = os.path.dirname(init_file)
        try:
            if not os.path.isdir(folder):
                os.makedirs(folder, 0o700)
        except OSError as exc:
            return 'cannot create %s for the unseal keys and root token: %s' % (folder, to_native(exc))
        if not os.access(folder, os.W_OK | os.X_OK):
            return 'cannot write in %s, where the unseal keys and root token must go (%s)' % (folder, init_file)
        return None

    def _store(self, init, init_file, passphrase, had_file):
        """Encrypt and write the answer of sys/init; the keys leave the result once they are on disk."""
        vault = VaultLib([('default', VaultSecret(to_bytes(passphrase)))])
        data = vault.encrypt(to_text(yaml.safe_dump(init, default_flow_style=False))) + b'\n'
        backup = None
        if had_file:
            # A file of an earlier Vault (its storage was wiped): kept, never overwritten.
            backup = '%s.%s~' % (init_file, _now())
            os.rename(init_file, backup)
        fallback = os.path.join(os.path.expanduser('~'), '.ansible', 'vault-init-%s.vault' % _now())
        errors = []
        for path in (init_file, fallback):
            try:
                if not os.path.isdir(os.path.dirname(path)):
                    os.makedirs(os.path.dirname(path), 0o700)
                write_private(path, data)
            except (IOError, OSError) as exc:
                errors.append('%s: %s' % (path, to_native(exc)))
                continue
            stored = dict(init_file=path, init_file_backup=backup)
            if path != init_file:
                stored.update(failed=True, msg='Vault was initialised, but writing %s failed (%s). The unseal keys and '
                                               'root token are in %s instead, encrypted with init_passphrase: move '
                                               'that file to %s and rerun.' % (init_file, errors[0], path, init_file))
            return stored
        # Nowhere to write: the registered result is the only copy left, hidden from every output.
        return dict(failed=True, init=init, _ansible_no_log=True,
                    msg='Vault was initialised, but its unseal keys and root token could not be written (%s). They '
                        'are only in this task\'s registered result (key init).' % '; '.join(errors))

    @staticmethod
    def _initialised_without_file(url, init_file, pending, earlier):
        if earlier:
            return ('Vault at %s is initialised, %s does not exist, and %s says: "%s". The answer to that '
                    'initialisation was lost, so its unseal keys and root token exist nowhere and Vault cannot be '
                    'unsealed after its next restart. Nobody ever held its root token, so nothing can have been stored '
                    'in it: wipe its storage and initialise again (in Kubernetes: scale the Vault StatefulSet to 0, '
                    'delete its data PersistentVolumeClaims, let the next run start it), delete %s, and rerun.'
                    % (url, init_file, pending, earlier, pending))
        return ('Vault at %s is initialised, but %s does not exist and this controller never started an '
                'initialisation (there is no %s). Vault was initialised from another controller or checkout: copy '
                'the encrypted file it wrote there to %s (or point vault_init_file at it) and rerun. The role never '
                'initialises Vault twice.' % (url, init_file, pending, init_file))
