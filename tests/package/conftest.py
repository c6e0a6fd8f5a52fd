"""Helpers shared by the package tests."""
import threading


def counts_while(call):
    """How many times this thread counted while `call` ran in another thread: a call that keeps the
    GIL for its whole run leaves it a handful of iterations at most."""
    counter = [0]
    done = threading.Event()

    def work():
        call()
        done.set()

    th = threading.Thread(target=work)
    th.start()
    while not done.is_set():
        counter[0] += 1
    th.join()
    return counter[0]
