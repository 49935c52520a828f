"""A fast test hasher that counts how often a password is hashed."""

from django.contrib.auth.hashers import MD5PasswordHasher

calls = []


class CountingHasher(MD5PasswordHasher):
    algorithm = "md5"

    def encode(self, password, salt):
        calls.append(salt)
        return super().encode(password, salt)
