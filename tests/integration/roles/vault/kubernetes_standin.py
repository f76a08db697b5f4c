"""Stand-in for the Kubernetes API's TokenReview, which Vault's Kubernetes auth calls on every login.

No Kubernetes API server can run here, so this answers TokenReview for the service account tokens it
minted itself (signed RS256 JWTs with the claims a TokenRequest token carries) and refuses any other.
Everything after the review - the role's bound service account names and namespaces, its policies, the
token Vault issues - is real OpenBao.
"""

import base64
import http.server
import json
import threading
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AUDIENCE = 'https://kubernetes.default.svc.cluster.local'


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


class TokenReviewStandIn(object):
    """An HTTP server on a free loopback port; url is the kubernetes_host to give Vault."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issued = {}        # token -> (namespace, name, uid)
        self.reviews = []       # (namespace, name) of every review answered as authenticated
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                who = standin.issued.get(body['spec']['token'])
                status = {'authenticated': False, 'error': 'token not issued by this API server'}
                if who is not None and self.path == '/apis/authentication.k8s.io/v1/tokenreviews':
                    standin.reviews.append(who[:2])
                    status = {'authenticated': True, 'audiences': [AUDIENCE],
                              'user': {'username': 'system:serviceaccount:%s:%s' % who[:2], 'uid': who[2],
                                       'groups': ['system:serviceaccounts', 'system:serviceaccounts:%s' % who[0]]}}
                answer = json.dumps({'apiVersion': 'authentication.k8s.io/v1', 'kind': 'TokenReview',
                                     'status': status}).encode()
                self.send_response(201)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def token(self, namespace, name):
        """A service account token as a TokenRequest returns it (projected claims, ten minutes)."""
        now = int(time.time())
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, '%s/%s' % (namespace, name)))
        claims = {'iss': AUDIENCE, 'aud': [AUDIENCE], 'sub': 'system:serviceaccount:%s:%s' % (namespace, name),
                  'iat': now, 'nbf': now, 'exp': now + 600,
                  'kubernetes.io': {'namespace': namespace, 'serviceaccount': {'name': name, 'uid': uid}}}
        signing_input = '%s.%s' % (_b64(json.dumps({'alg': 'RS256', 'typ': 'JWT', 'kid': 'standin'}).encode()),
                                   _b64(json.dumps(claims).encode()))
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        token = '%s.%s' % (signing_input, _b64(signature))
        self.issued[token] = (namespace, name, uid)
        return token
