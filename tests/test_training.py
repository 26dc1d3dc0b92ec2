"""Tests of the Eq. (17) trainer: gradient, descent, resume, variants, constraints."""

import numpy as np
import pytest

import bioam.training as training
from bioam.evaluation import count_unique, objective_codes
from bioam.training import (TrainingConfig, loss_and_gradient, nonnegative_decoder,
                            steepness_at_epoch, train)
from bioam.validation import BioamError


def synthetic_images(n_images=60, n_visible=40, seed=0):
    """Sparse binary-ish images in [0, 1], built from a few random prototypes."""
    rng = np.random.default_rng(seed)
    prototypes = rng.random((5, n_visible)) < 0.3
    labels = rng.integers(0, 5, n_images)
    noise = rng.random((n_images, n_visible)) < 0.1
    images = np.logical_xor(prototypes[labels], noise).astype(np.float32)
    return images * rng.uniform(0.5, 1.0, (n_images, n_visible)).astype(np.float32)


def numerical_gradient(function, array, epsilon=1e-6):
    gradient = np.zeros_like(array)
    flat, out = array.reshape(-1), gradient.reshape(-1)
    for index in range(flat.size):
        saved = flat[index]
        flat[index] = saved + epsilon
        plus = function()
        flat[index] = saved - epsilon
        minus = function()
        flat[index] = saved
        out[index] = (plus - minus) / (2 * epsilon)
    return gradient


def relative_error(analytic, numeric):
    return np.linalg.norm(analytic - numeric) / max(np.linalg.norm(numeric), 1e-300)


@pytest.mark.parametrize("asymmetric", [False, True])
@pytest.mark.parametrize("theta_shape", [(1,), (6,)])
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_gradient_matches_finite_differences(asymmetric, theta_shape, margin):
    rng = np.random.default_rng(1)
    n_visible, n_hidden = 12, 6
    batch = rng.random((7, n_visible))
    # Weights scaled so the potentials h straddle theta and the sigmoid is not saturated.
    xi = rng.normal(0, 1.5, (n_visible, n_hidden))
    theta = rng.uniform(0.2, 0.6, theta_shape)
    xi_back = rng.normal(0, 1.0, (n_hidden, n_visible)) if asymmetric else None
    steepness = 4.0

    def loss():
        return loss_and_gradient(xi, theta, batch, steepness, xi_back=xi_back,
                                 margin=margin, margin_weight=2.0)[0]

    _, gradient = loss_and_gradient(xi, theta, batch, steepness, xi_back=xi_back,
                                    margin=margin, margin_weight=2.0)
    assert gradient["theta"].shape == theta.shape
    assert relative_error(gradient["xi"], numerical_gradient(loss, xi)) < 1e-3
    assert relative_error(gradient["theta"], numerical_gradient(loss, theta)) < 1e-3
    if asymmetric:
        assert relative_error(gradient["xi_back"], numerical_gradient(loss, xi_back)) < 1e-3
    else:
        assert "xi_back" not in gradient
    if margin:
        # The margin term is active for some potential, so it changes the loss.
        without = loss_and_gradient(xi, theta, batch, steepness, xi_back=xi_back)[0]
        assert loss() > without


def test_loss_is_eq17_with_sigmoid():
    rng = np.random.default_rng(2)
    xi, batch = rng.normal(size=(10, 4)), rng.random((3, 10))
    theta = np.array([0.4])
    loss, _ = loss_and_gradient(xi, theta, batch, 50.0)
    hidden = 1 / (1 + np.exp(-50.0 * (np.sqrt(4) / 10 * batch @ xi - 0.4)))
    expected = np.mean(np.sum((batch - hidden @ xi.T / np.sqrt(4)) ** 2, axis=1))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_loss_decreases_and_stays_float32():
    images = synthetic_images()
    config = TrainingConfig(n_hidden=8, epochs=15, batch_size=16, learning_rate=0.01,
                            steepness=5.0, seed=3)
    model = train(images, config, progress=False)
    losses = [record["loss"] for record in model.history]
    assert len(losses) == 15
    assert losses[-1] < 0.7 * losses[0]
    assert all(later <= earlier * 1.05 for earlier, later in zip(losses, losses[1:]))
    assert model.xi.dtype == np.float32 and model.xi.shape == (40, 8)
    assert isinstance(model.theta, float)
    assert model.xi_back is None
    codes = objective_codes(model.xi, model.theta, images)
    assert model.history[-1]["unique_codes"] == count_unique(codes)
    hard_reconstruction = codes @ model.xi.T.astype(np.float64) / np.sqrt(8)
    assert model.history[-1]["hard_loss"] == pytest.approx(
        np.mean(np.sum((images - hard_reconstruction) ** 2, axis=1)), rel=1e-4)


def test_progress_goes_to_stderr(capsys):
    train(synthetic_images(), TrainingConfig(n_hidden=4, epochs=2, seed=0), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "epoch 2/2" in captured.err and "unique codes" in captured.err


def test_same_seed_same_weights_other_seed_other_weights():
    images = synthetic_images()
    first = train(images, TrainingConfig(n_hidden=5, epochs=2, seed=7), progress=False)
    second = train(images, TrainingConfig(n_hidden=5, epochs=2, seed=7), progress=False)
    third = train(images, TrainingConfig(n_hidden=5, epochs=2, seed=8), progress=False)
    assert np.array_equal(first.xi, second.xi)
    assert not np.allclose(first.xi, third.xi)


def resume_config(epochs, **changes):
    settings = dict(n_hidden=6, epochs=epochs, batch_size=8, learning_rate=0.01,
                    steepness=3.0, theta_mode="per_neuron", asymmetric=True, margin=0.1,
                    seed=11)
    settings.update(changes)
    return TrainingConfig(**settings)


def test_resume_after_k_epochs_is_bit_identical(tmp_path):
    images = synthetic_images()
    uninterrupted = train(images, resume_config(6), progress=False)
    checkpoint = tmp_path / "run.ckpt.npz"
    partial = train(images, resume_config(2), checkpoint_path=checkpoint, progress=False)
    assert not np.array_equal(partial.xi, uninterrupted.xi)
    resumed = train(images, resume_config(6), checkpoint_path=checkpoint, resume=True,
                    progress=False)
    assert np.array_equal(resumed.xi, uninterrupted.xi)
    assert np.array_equal(resumed.xi_back, uninterrupted.xi_back)
    assert np.array_equal(resumed.theta, uninterrupted.theta)
    assert [record["epoch"] for record in resumed.history] == list(range(1, 7))
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in uninterrupted.history]


def test_resume_after_a_kill_with_annealing_is_bit_identical(tmp_path, monkeypatch):
    images = synthetic_images()
    config = resume_config(5, steepness_end=30.0, learning_rate_end=0.001, asymmetric=False)
    uninterrupted = train(images, config, progress=False)
    checkpoint = tmp_path / "run.ckpt.npz"
    real_save = training._save_checkpoint
    calls = []

    def save_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # killed during epoch 4, before its checkpoint
            raise KeyboardInterrupt
        real_save(*args, **kwargs)

    monkeypatch.setattr(training, "_save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train(images, config, checkpoint_path=checkpoint, progress=False)
    monkeypatch.setattr(training, "_save_checkpoint", real_save)
    resumed = train(images, config, checkpoint_path=checkpoint, resume=True, progress=False)
    assert np.array_equal(resumed.xi, uninterrupted.xi)
    assert resumed.theta.tobytes() == uninterrupted.theta.tobytes()
    assert [r["steepness"] for r in resumed.history] == [
        steepness_at_epoch(config, epoch) for epoch in range(5)]


def test_resume_refuses_other_settings_data_or_missing_file(tmp_path):
    images = synthetic_images()
    checkpoint = tmp_path / "run.ckpt.npz"
    train(images, resume_config(1), checkpoint_path=checkpoint, progress=False)
    with pytest.raises(BioamError, match="learning_rate"):
        train(images, resume_config(2, learning_rate=0.02), checkpoint_path=checkpoint,
              resume=True, progress=False)
    with pytest.raises(BioamError, match="other training images"):
        train(images[:-1], resume_config(2), checkpoint_path=checkpoint, resume=True,
              progress=False)
    with pytest.raises(BioamError, match="no checkpoint"):
        train(images, resume_config(2), checkpoint_path=tmp_path / "absent.npz",
              resume=True, progress=False)
    checkpoint.write_bytes(checkpoint.read_bytes()[:100])
    with pytest.raises(BioamError, match="corrupt"):
        train(images, resume_config(2), checkpoint_path=checkpoint, resume=True,
              progress=False)


def test_per_neuron_theta_and_asymmetric_shapes():
    images = synthetic_images()
    model = train(images, TrainingConfig(n_hidden=7, epochs=3, theta_mode="per_neuron",
                                         asymmetric=True, seed=0), progress=False)
    assert model.theta.shape == (7,)
    assert model.theta.dtype == np.float32
    assert len(np.unique(model.theta)) > 1
    assert model.xi_back.shape == (7, 40)
    assert not np.allclose(model.xi_back, model.xi.T)


def test_fixed_theta_is_not_trained():
    model = train(synthetic_images(), TrainingConfig(n_hidden=4, epochs=2, learn_theta=False,
                                                     theta_init=0.3), progress=False)
    assert model.theta == pytest.approx(0.3)


def test_constraint_hook_is_applied_after_every_step():
    images = synthetic_images()
    calls = []

    def record_calls(parameters):
        calls.append(sorted(parameters))

    config = TrainingConfig(n_hidden=5, epochs=2, batch_size=20, asymmetric=True, seed=0,
                            constraints=(record_calls, nonnegative_decoder))
    model = train(images, config, progress=False)
    assert len(calls) == 2 * 3  # 60 images, 20 per batch, 2 epochs
    assert calls[0] == ["theta", "xi", "xi_back"]
    assert model.xi_back.min() >= 0
    assert model.xi.min() < 0  # the encoder is not constrained
    free = train(images, TrainingConfig(n_hidden=5, epochs=2, batch_size=20, asymmetric=True,
                                        seed=0), progress=False)
    assert free.xi_back.min() < 0


def test_learning_rate_decay_schedule():
    from bioam.training import learning_rate_at_epoch

    config = TrainingConfig(epochs=3, learning_rate=0.01, learning_rate_end=0.0001)
    values = [learning_rate_at_epoch(config, epoch) for epoch in range(3)]
    assert values == pytest.approx([0.01, 0.001, 0.0001])
    model = train(synthetic_images(), TrainingConfig(n_hidden=3, epochs=3, learning_rate=0.01,
                                                     learning_rate_end=0.0001), progress=False)
    assert [r["learning_rate"] for r in model.history] == pytest.approx(values)
    assert learning_rate_at_epoch(TrainingConfig(learning_rate=0.02), 5) == 0.02


def test_steepness_annealing_schedule():
    config = TrainingConfig(epochs=5, steepness=10.0, steepness_end=1000.0)
    values = [steepness_at_epoch(config, epoch) for epoch in range(5)]
    assert values[0] == pytest.approx(10.0) and values[-1] == pytest.approx(1000.0)
    assert values[2] == pytest.approx(100.0)
    held = TrainingConfig(epochs=5, steepness=10.0, steepness_end=1000.0, anneal_epochs=3)
    assert steepness_at_epoch(held, 4) == pytest.approx(1000.0)
    assert steepness_at_epoch(TrainingConfig(steepness=7.0), 3) == 7.0


@pytest.mark.parametrize("changes, message", [
    (dict(n_hidden=0), "n_hidden"),
    (dict(learning_rate=-1.0), "learning_rate"),
    (dict(theta_mode="each"), "theta_mode"),
    (dict(steepness=float("nan")), "steepness"),
    (dict(constraints=(3,)), "constraints"),
    (dict(margin=-0.1), "margin"),
])
def test_bad_settings_raise(changes, message):
    with pytest.raises(BioamError, match=message):
        train(synthetic_images(), TrainingConfig(**changes), progress=False)


def test_bad_images_raise():
    with pytest.raises(BioamError, match="NaN"):
        images = synthetic_images()
        images[0, 0] = np.nan
        train(images, TrainingConfig(n_hidden=3, epochs=1), progress=False)
    with pytest.raises(BioamError, match="shape"):
        train(np.zeros(10), TrainingConfig(n_hidden=3, epochs=1), progress=False)


def test_evaluate_hidden_codes_on_a_trained_network():
    from bioam.evaluation import evaluate_hidden_codes
    from bioam.reference import fixed_point_hidden_state

    images = synthetic_images(n_images=30, n_visible=200)
    model = train(images, TrainingConfig(n_hidden=6, epochs=40, batch_size=10,
                                         learning_rate=0.01, steepness=10.0, seed=0),
                  progress=False)
    calls = []

    def counting_recall(xi, cues, xi_back=None, theta=0.5):
        from bioam.evaluation import _default_recall
        calls.append(len(cues))
        return _default_recall(xi, cues, xi_back=xi_back, theta=theta)

    result = evaluate_hidden_codes(model.xi, model.theta, images, recall_fn=counting_recall,
                                   chunk_size=12)
    assert calls == [12, 12, 6]
    assert result["n_memories"] == 30
    codes = objective_codes(model.xi, model.theta, images)
    assert result["unique_codes_objective"] == count_unique(codes)
    assert 1 <= result["unique_minima"] <= 30
    # the minima proper: distinct final states that are fixed points, counted by hand
    from bioam.evaluation import _default_recall
    final_states = _default_recall(model.xi, images, theta=model.theta)["hidden"] > 0.5
    is_fixed, _ = fixed_point_hidden_state(model.xi, final_states, theta=model.theta)
    assert result["unique_fixed_point_minima"] == count_unique(final_states[is_fixed])
    assert 0.0 <= result["fixed_point_fraction"] <= 1.0
    # Codes that are fixed points and reconstruct well are kept by the dynamics.
    is_fixed, _ = fixed_point_hidden_state(model.xi, codes, theta=model.theta)
    assert result["code_agreement"] >= 0.5 * is_fixed.mean()
    assert 0 < result["reconstruction_mse"] < np.mean(images ** 2)


def test_count_unique_counts_distinct_rows():
    states = np.array([[0, 1, 1], [0, 1, 1], [1, 0, 0], [0, 0, 0]] * 3)
    assert count_unique(states) == 3
    assert count_unique(np.zeros((4, 70))) == 1
    wide = np.zeros((2, 70))
    wide[1, 69] = 1  # differs only in a bit beyond the first byte
    assert count_unique(wide) == 2


def test_scalar_theta_is_accepted_by_the_gradient():
    rng = np.random.default_rng(4)
    xi, batch = rng.normal(size=(8, 3)), rng.random((4, 8))
    loss, gradient = loss_and_gradient(xi, 0.3, batch, 5.0)
    reference, reference_gradient = loss_and_gradient(xi, np.array([0.3]), batch, 5.0)
    assert loss == reference
    assert gradient["theta"].shape == ()
    assert gradient["theta"] == pytest.approx(reference_gradient["theta"][0])


def test_matched_encoder_scale_keeps_encoder_and_decoder_norms_equal():
    from bioam.training import TrainingConfig, matched_encoder_scale, train

    rng = np.random.default_rng(0)
    images = (rng.random((64, 30)) < 0.3).astype(np.float32)
    config = TrainingConfig(n_hidden=4, epochs=3, batch_size=16, asymmetric=True,
                            constraints=(matched_encoder_scale,), monitor_size=64)
    model = train(images, config, progress=False)
    np.testing.assert_allclose(np.linalg.norm(model.xi, axis=0),
                               np.linalg.norm(model.xi_back, axis=1), rtol=1e-5)
    symmetric = {"xi": np.ones((3, 2))}
    matched_encoder_scale(symmetric)  # no decoder: nothing to match
    np.testing.assert_array_equal(symmetric["xi"], np.ones((3, 2)))


def test_straight_through_loss_is_eq17_with_theta_and_exact_for_the_decoder():
    rng = np.random.default_rng(5)
    n_visible, n_hidden = 12, 5
    xi = rng.normal(0, 1.5, (n_visible, n_hidden))
    xi_back = rng.normal(0, 1.0, (n_hidden, n_visible))
    theta = rng.uniform(0.2, 0.6, n_hidden)
    batch = rng.random((6, n_visible))

    def hard_loss():
        codes = (np.sqrt(n_hidden) / n_visible * batch @ xi - theta) > 0
        return np.mean(np.sum((batch - codes @ xi_back / np.sqrt(n_hidden)) ** 2, axis=1))

    loss, gradient = loss_and_gradient(xi, theta, batch, 4.0, xi_back=xi_back,
                                       straight_through=True)
    assert loss == pytest.approx(hard_loss(), rel=1e-12)
    # The codes do not depend on the decoder, so its gradient is the true one.
    assert relative_error(gradient["xi_back"], numerical_gradient(hard_loss, xi_back)) < 1e-6
    # xi and theta get the sigmoid's slope in place of Theta's derivative: the
    # same chain rule as the sigmoid loss, with the binary codes in the residual.
    smooth_loss, smooth_gradient = loss_and_gradient(xi, theta, batch, 4.0, xi_back=xi_back)
    assert smooth_loss != pytest.approx(loss)
    assert not np.allclose(gradient["xi"], smooth_gradient["xi"])
    assert np.all(np.isfinite(gradient["xi"])) and np.any(gradient["theta"] != 0)


def test_straight_through_training_lowers_eq17_with_theta():
    images = synthetic_images(n_images=200, n_visible=40)
    config = TrainingConfig(n_hidden=8, epochs=30, batch_size=16, learning_rate=0.01,
                            steepness=5.0, steepness_end=50.0, theta_mode="per_neuron",
                            asymmetric=True, surrogate="straight_through", seed=1,
                            monitor_size=200)
    model = train(images, config, progress=False)
    hard = [record["hard_loss"] for record in model.history]
    assert hard[-1] < 0.5 * hard[0]
    # The epoch's loss is Eq. (17) with Theta, averaged while the weights move.
    assert model.history[-1]["loss"] == pytest.approx(hard[-1], rel=0.1)


def test_init_from_a_model_file(tmp_path):
    from bioam.models import save_model

    images = synthetic_images()
    rng = np.random.default_rng(6)
    xi = rng.normal(0, 1, (40, 4)).astype(np.float32)
    path = str(tmp_path / "start.npz")
    save_model(path, xi, 0.3, metadata={"dataset": "synthetic"})
    frozen = dict(n_hidden=4, epochs=1, batch_size=16, learning_rate=1e-12, learn_theta=False,
                  init_from=path, monitor_size=60)
    model = train(images, TrainingConfig(theta_mode="per_neuron", asymmetric=True, **frozen),
                  progress=False)
    np.testing.assert_allclose(model.xi, xi, atol=1e-6)
    np.testing.assert_allclose(model.xi_back, xi.T, atol=1e-6)  # decoder starts as xi^T
    np.testing.assert_array_equal(model.theta, np.full(4, 0.3, np.float32))
    metadata = model.metadata("synthetic")
    assert metadata["training"]["init_from"] == path
    assert len(metadata["init_from_sha256"]) == 64
    # The hash is taken when the start file is read and survives a resume.
    checkpoint = tmp_path / "run.ckpt.npz"
    config = TrainingConfig(theta_mode="per_neuron", asymmetric=True, **frozen)
    train(images, config, checkpoint_path=checkpoint, progress=False)
    save_model(path, 2 * xi, 0.3, metadata={"dataset": "synthetic"})  # the file changes later
    resumed = train(images, TrainingConfig(**{**config.__dict__, "epochs": 2}),
                    checkpoint_path=checkpoint, resume=True, progress=False)
    assert resumed.init_sha256 == metadata["init_from_sha256"]

    with pytest.raises(BioamError, match="shape"):
        train(images, TrainingConfig(**{**frozen, "n_hidden": 5}), progress=False)
    # a model with one global threshold starts a global-threshold training (its file stores it
    # once per neuron), one with thresholds that differ is refused
    global_model = train(images, TrainingConfig(**frozen), progress=False)
    assert global_model.theta == pytest.approx(0.3)
    save_model(str(tmp_path / "per_neuron.npz"), xi, [0.3, 0.3, 0.3, 0.4], metadata={})
    with pytest.raises(BioamError, match="per_neuron"):
        train(images, TrainingConfig(**{**frozen, "init_from": str(tmp_path / "per_neuron.npz")}),
              progress=False)
    with pytest.raises(BioamError, match="surrogate"):
        train(images, TrainingConfig(surrogate="hard"), progress=False)


# ------------------------------------------- fixed-point margin, one-sided margins, collisions


@pytest.mark.parametrize("asymmetric", [False, True])
@pytest.mark.parametrize("theta_shape", [(1,), (6,)])
def test_fixed_point_term_and_weights_gradient_matches_finite_differences(asymmetric,
                                                                          theta_shape):
    rng = np.random.default_rng(4)
    n_visible, n_hidden = 12, 6
    batch = rng.random((7, n_visible))
    xi = rng.normal(0, 1.5, (n_visible, n_hidden))
    theta = rng.uniform(0.2, 0.6, theta_shape)
    xi_back = rng.normal(0, 1.0, (n_hidden, n_visible)) if asymmetric else None
    weights = rng.uniform(0.5, 3.0, 7)
    settings = dict(xi_back=xi_back, margin=0.3, margin_off=0.1, margin_weight=2.0,
                    fixed_point_margin=2.0, fixed_point_weight=3.0, weights=weights)

    def loss():
        return loss_and_gradient(xi, theta, batch, 4.0, **settings)[0]

    value, gradient = loss_and_gradient(xi, theta, batch, 4.0, **settings)
    assert relative_error(gradient["xi"], numerical_gradient(loss, xi)) < 1e-3
    assert relative_error(gradient["theta"], numerical_gradient(loss, theta)) < 1e-3
    if asymmetric:
        assert relative_error(gradient["xi_back"], numerical_gradient(loss, xi_back)) < 1e-3
    # the fixed-point penalty written out from Eqs. 5 and 16 with NumPy: h* of each code's memory
    decoder = xi.T if xi_back is None else xi_back
    above = batch @ xi * np.sqrt(n_hidden) / n_visible - theta
    codes = (above > 0).astype(float)
    memory = codes @ decoder / np.sqrt(n_hidden)                      # v*, Eq. 16
    fixed_above = memory @ xi * np.sqrt(n_hidden) / n_visible - theta  # h* - theta
    fixed = np.maximum(2.0 - (2 * codes - 1) * fixed_above, 0) ** 2
    without = loss_and_gradient(xi, theta, batch, 4.0,
                                **dict(settings, fixed_point_margin=0.0))[0]
    assert value - without == pytest.approx(3.0 * np.sum(fixed) / 7)  # image weights left out


def test_one_sided_margin_and_image_weights_change_the_loss_as_written():
    rng = np.random.default_rng(5)
    xi, batch, theta = rng.normal(size=(10, 4)), rng.random((3, 10)), np.array([0.4])
    above = batch @ xi * 2 / 10 - theta
    kappa = np.where(above > 0, 0.5, 0.2)
    hinge = np.sum(np.maximum(kappa - np.abs(above), 0) ** 2) / 3
    plain = loss_and_gradient(xi, theta, batch, 5.0)[0]
    both = loss_and_gradient(xi, theta, batch, 5.0, margin=0.5, margin_off=0.2)[0]
    assert both - plain == pytest.approx(hinge)
    doubled = loss_and_gradient(xi, theta, batch, 5.0, margin=0.5, margin_off=0.2,
                                weights=np.full(3, 2.0))[0]
    assert doubled == pytest.approx(2 * plain + hinge)  # the weights scale Eq. 17 only


def test_colliding_images_are_the_rows_that_repeat():
    codes = np.zeros((5, 70), dtype=bool)
    codes[1, 69] = codes[3, 69] = True   # rows 1 and 3 collide beyond the first byte
    codes[2, 5] = codes[4, 0] = True
    assert training.colliding_images(codes).tolist() == [False, True, False, True, False]


def test_collision_weights_grow_for_colliding_images_only_and_resume_bit_identically(tmp_path):
    images = synthetic_images(n_images=60)
    config = TrainingConfig(n_hidden=3, epochs=4, batch_size=16, learning_rate=0.01, seed=0,
                            collision_boost=2.0, collision_weight_cap=4.0,
                            fixed_point_margin=0.02, fixed_point_weight=5.0)
    # 3 hidden neurons give at most 8 codes for 60 images: most collide
    model = train(images, config, progress=False)
    colliding = [record["colliding_images"] for record in model.history]
    assert all(count > 50 for count in colliding)
    assert model.history[-1]["mean_image_weight"] > 3.0   # doubled up to the cap of 4
    checkpoint = tmp_path / "run.npz"
    train(images, TrainingConfig(**{**config.as_json_dict(), "epochs": 2, "constraints": ()}),
          checkpoint_path=checkpoint, progress=False)
    resumed = train(images, config, checkpoint_path=checkpoint, resume=True, progress=False)
    assert resumed.xi.tobytes() == model.xi.tobytes()
    assert [r["mean_image_weight"] for r in resumed.history] == \
        [r["mean_image_weight"] for r in model.history]

