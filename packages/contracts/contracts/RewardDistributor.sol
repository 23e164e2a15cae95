// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title RewardDistributor — pays cumulative reward claims against one Merkle root per epoch.
/// @notice Leaves are OpenZeppelin's standard ["address","uint256"] leaves of each payout
/// address's cumulative total to date; a claim pays the difference from what the address has
/// already claimed, so one proof collects everything and nothing can be claimed twice.
contract RewardDistributor {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    address public immutable operator;

    /// @notice The latest epoch with a root, and that root (claims are made against it).
    uint256 public latestEpoch;
    bytes32 public root;
    bool public hasRoot;
    mapping(uint256 epoch => bytes32) public roots;
    mapping(address account => uint256) public claimed;

    event RootPosted(uint256 indexed epoch, bytes32 root);
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);

    error NotOperator();
    error EpochNotIncreasing(uint256 epoch, uint256 latest);
    error ZeroRoot();
    error NoRoot();
    error InvalidProof();
    error NothingToClaim(uint256 cumulative, uint256 alreadyClaimed);

    constructor(IERC20 token_, address operator_) {
        token = token_;
        operator = operator_;
    }

    /// @notice The operator posts the root of each settled epoch, in increasing epoch order.
    function postRoot(uint256 epoch, bytes32 newRoot) external {
        if (msg.sender != operator) revert NotOperator();
        if (newRoot == bytes32(0)) revert ZeroRoot();
        if (hasRoot && epoch <= latestEpoch) revert EpochNotIncreasing(epoch, latestEpoch);
        hasRoot = true;
        latestEpoch = epoch;
        root = newRoot;
        roots[epoch] = newRoot;
        emit RootPosted(epoch, newRoot);
    }

    /// @notice Pays `account` its cumulative total less what it already claimed.
    function claim(address account, uint256 cumulative, bytes32[] calldata proof) external returns (uint256 amount) {
        if (!hasRoot) revert NoRoot();
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulative))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        uint256 already = claimed[account];
        if (cumulative <= already) revert NothingToClaim(cumulative, already);
        amount = cumulative - already;
        claimed[account] = cumulative; // state before the transfer
        token.safeTransfer(account, amount);
        emit Claimed(account, amount, cumulative);
    }
}
